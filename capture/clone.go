package capture

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// ErrNoFile is returned by Clone for a database that has no file of its
// own (an in-memory or temporary one), which a second connection cannot
// open.
var ErrNoFile = errors.New("capture: the database has no file to open again")

// Clone opens another connection to e's database file and returns an
// engine over it, for work that runs beside e's: exports to several peers
// at once, reads while e applies. It neither migrates nor installs (e did),
// and shares e's node id, options, synced tables and synchronous setting
// as they are now. The
// clone writes through its own connection, in WAL mode, waiting up to the
// busy timeout for e's writes; Close closes its connection. Each engine is
// used by one goroutine at a time, as e is.
func (e *Engine) Clone(ctx context.Context) (*Engine, error) {
	if e.conn == nil {
		return nil, ErrClosed
	}
	path := e.conn.Filename("main").String()
	if path == "" {
		return nil, ErrNoFile
	}
	flags := sqlite3.OPEN_READWRITE
	if ro, _ := e.conn.ReadOnly("main"); ro || e.opts.ReadOnly {
		flags = sqlite3.OPEN_READONLY
	}
	conn, err := sqlite3.OpenFlags(path, flags)
	if err != nil {
		return nil, fmt.Errorf("capture: clone %s: %w", path, err)
	}
	timeout := e.opts.BusyTimeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	// The clone commits as durably as e does.
	var sync int64 = 2
	if err := e.queryRow(`PRAGMA synchronous`, nil, func(st *sqlite3.Stmt) { sync = st.ColumnInt64(0) }); err != nil {
		conn.Close()
		return nil, fmt.Errorf("capture: clone %s: %w", path, err)
	}
	err = conn.BusyTimeout(timeout)
	if err == nil {
		err = conn.Exec(fmt.Sprintf(`PRAGMA foreign_keys = ON; PRAGMA synchronous = %d`, sync))
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("capture: clone %s: %w", path, err)
	}
	c := &Engine{conn: conn, closers: []func() error{conn.Close}, opts: e.opts, log: e.log, now: e.now,
		nodeID: e.nodeID, tables: e.tables, fingerprint: e.fingerprint}
	return c, nil
}
