package capture

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"
	"github.com/rs/zerolog"

	"github.com/capture-sync/capture/schema"
)

// Options configure an Engine.
type Options struct {
	// Profile is the database's profile; required.
	Profile schema.Profile
	// Spec says what syncs. The zero value means schema.AppSpec() for the
	// profile.
	Spec *schema.Spec
	// Logger receives the engine's logs. The zero value logs nothing.
	Logger zerolog.Logger
	// Now is the wall clock, for tests. The zero value means time.Now.
	// (The triggers read SQLite's own clock.)
	Now func() time.Time
	// BusyTimeout bounds how long a write waits for another connection's
	// lock, on connections the engine opens. Zero means 5 seconds.
	BusyTimeout time.Duration
	// ReadOnly makes the engine write nothing: nothing is migrated or
	// installed, the database must already be at the latest version, and
	// Open opens the file read-only, so the methods that write fail and
	// readers never block the app's writers. (OpenConn and OpenDB use the
	// connection as it was opened.)
	ReadOnly bool
}

// Engine is the capture engine over one database connection.
type Engine struct {
	conn    *sqlite3.Conn
	closers []func() error
	opts    Options
	log     zerolog.Logger
	now     func() time.Time

	nodeID      string
	tables      []schema.TableInfo
	fingerprint string
	// migrated is set when Open migrated the database, until Install has
	// adopted the rows the migrations wrote.
	migrated bool
}

// ErrClosed is returned by the methods of a closed Engine.
var ErrClosed = errors.New("capture: engine is closed")

// Open opens (creating if missing) the database at path in WAL mode with
// foreign keys on, migrates it to the latest version of opts.Profile, and
// installs or refreshes the capture triggers. Close releases it.
func Open(ctx context.Context, path string, opts Options) (*Engine, error) {
	flags := sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE
	if opts.ReadOnly {
		flags = sqlite3.OPEN_READONLY
	}
	conn, err := sqlite3.OpenFlags(path, flags)
	if err != nil {
		return nil, fmt.Errorf("capture: open %s: %w", path, err)
	}
	timeout := opts.BusyTimeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	if err := conn.BusyTimeout(timeout); err != nil {
		conn.Close()
		return nil, fmt.Errorf("capture: open %s: %w", path, err)
	}
	if !opts.ReadOnly {
		if err := conn.Exec(`PRAGMA journal_mode = WAL`); err != nil {
			conn.Close()
			return nil, fmt.Errorf("capture: open %s: %w", path, err)
		}
	}
	e, err := newEngine(ctx, conn, opts)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("capture: open %s: %w", path, err)
	}
	e.closers = append(e.closers, conn.Close)
	return e, nil
}

// OpenConn is Open over a connection the caller already has. The engine
// sets PRAGMA foreign_keys = ON on it and uses it until Close, which leaves
// the connection open.
func OpenConn(ctx context.Context, conn *sqlite3.Conn, opts Options) (*Engine, error) {
	e, err := newEngine(ctx, conn, opts)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	return e, nil
}

// OpenDB is Open over a *sql.DB of the ncruces driver package. The engine
// takes one connection from the pool and holds it until Close, which returns
// it.
func OpenDB(ctx context.Context, db *sql.DB, opts Options) (*Engine, error) {
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	var raw *sqlite3.Conn
	err = c.Raw(func(dc any) error {
		d, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("connection of type %T is not from github.com/ncruces/go-sqlite3/driver", dc)
		}
		raw = d.Raw()
		return nil
	})
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("capture: %w", err)
	}
	e, err := newEngine(ctx, raw, opts)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("capture: %w", err)
	}
	e.closers = append(e.closers, c.Close)
	return e, nil
}

func newEngine(ctx context.Context, conn *sqlite3.Conn, opts Options) (*Engine, error) {
	if _, err := schema.ParseProfile(string(opts.Profile)); err != nil {
		return nil, err
	}
	e := &Engine{conn: conn, opts: opts, log: opts.Logger, now: opts.Now}
	if e.now == nil {
		e.now = time.Now
	}
	if err := conn.Exec(`PRAGMA foreign_keys = ON`); err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		return e, e.openReadOnly(ctx)
	}
	res, err := schema.Migrate(ctx, conn, opts.Profile)
	if err != nil {
		return nil, err
	}
	if res.From != res.To {
		e.log.Info().Int("from", res.From).Int("to", res.To).Msg("migrated")
		e.migrated = true
	}
	if err := e.queryRow(`SELECT node_id FROM sync_state WHERE id = 1`, nil, func(s *sqlite3.Stmt) {
		e.nodeID = s.ColumnText(0)
	}); err != nil {
		return nil, fmt.Errorf("read node id: %w", err)
	}
	if _, err := e.Install(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// ErrNotInitialized is returned by a read-only Open of a database that is
// not at the latest schema version.
var ErrNotInitialized = errors.New("database is not initialized at the latest schema version")

// openReadOnly checks a database opened read-only and reads what the engine
// needs from it, writing nothing.
func (e *Engine) openReadOnly(ctx context.Context) error {
	v, err := schema.Version(e.conn)
	if err != nil {
		return err
	}
	if v != schema.Latest() {
		return fmt.Errorf("schema version %d, want %d (run init): %w", v, schema.Latest(), ErrNotInitialized)
	}
	var profile string
	if err := e.queryRow(`SELECT node_id, coalesce(profile, ''), coalesce(spec_fingerprint, '') FROM sync_state WHERE id = 1`, nil,
		func(s *sqlite3.Stmt) {
			e.nodeID, profile, e.fingerprint = s.ColumnText(0), s.ColumnText(1), s.ColumnText(2)
		}); err != nil {
		return fmt.Errorf("read sync state: %w", err)
	}
	if schema.Profile(profile) != e.opts.Profile {
		return fmt.Errorf("database was created as %s, opened as %s: %w", profile, e.opts.Profile, schema.ErrProfile)
	}
	tables, err := schema.Inspect(e.conn, e.spec())
	if err != nil {
		return err
	}
	e.tables = tables
	return nil
}

// Close releases the engine and what it opened. It does not close a
// connection passed to OpenConn.
func (e *Engine) Close() error {
	if e.conn == nil {
		return nil
	}
	var errs []error
	for _, c := range e.closers {
		errs = append(errs, c())
	}
	e.conn = nil
	return errors.Join(errs...)
}

// Conn returns the engine's connection, for reads and for edits that should
// be captured like the app's. It must not be used after Close.
func (e *Engine) Conn() *sqlite3.Conn { return e.conn }

// NodeID returns this device's node id: 16 hex digits, random, fixed when
// the database was created.
func (e *Engine) NodeID() string { return e.nodeID }

// Profile returns the database's profile.
func (e *Engine) Profile() schema.Profile { return e.opts.Profile }

// Tables returns the synced tables as installed: keys and tracked columns.
func (e *Engine) Tables() []schema.TableInfo { return e.tables }

// Table returns the synced table named name.
func (e *Engine) Table(name string) (schema.TableInfo, bool) {
	for _, t := range e.tables {
		if t.Name == name {
			return t, true
		}
	}
	return schema.TableInfo{}, false
}

// Fingerprint returns the digest of what this database syncs (see
// schema.Fingerprint), as recorded in sync_state.
func (e *Engine) Fingerprint() string { return e.fingerprint }

// spec returns the sync spec in force.
func (e *Engine) spec() schema.Spec {
	if e.opts.Spec != nil {
		return *e.opts.Spec
	}
	return schema.AppSpec().For(e.opts.Profile)
}
