package main

import (
	"context"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
)

// peerSchema is the peer benchmark's table.
const peerSchema = `CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b TEXT, c INTEGER, d REAL, e TEXT)`

// peerSpec is the sync spec of the captured peer-shaped database: t only.
func peerSpec() *schema.Spec { return &schema.Spec{Tables: []schema.TableSpec{{Name: "t"}}} }

// db is one benchmark database: a connection and, when captured, the engine
// over it.
type db struct {
	path   string
	conn   *sqlite3.Conn
	engine *capture.Engine // nil for a plain database
	// ownedByEngine: the engine opened the connection (capture.Open) and
	// closes it.
	ownedByEngine bool
}

// openFile opens (creating) the database file at path with the workload's
// settings: WAL, synchronous=NORMAL, foreign keys on (as the engine sets
// them), default cache size.
func openFile(path string) (*sqlite3.Conn, error) {
	conn, err := sqlite3.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := setPragmas(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return conn, nil
}

// setPragmas applies the workload's connection settings.
func setPragmas(conn *sqlite3.Conn) error {
	return conn.Exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON`)
}

// openPeer creates a database at path holding the empty table t and, when
// captured, opens the engine over it with t as the only synced table (which
// migrates the database and installs t's triggers).
func openPeer(ctx context.Context, path string, captured bool) (*db, error) {
	conn, err := openFile(path)
	if err != nil {
		return nil, err
	}
	d := &db{path: path, conn: conn}
	if err := conn.Exec(peerSchema); err != nil {
		d.close()
		return nil, fmt.Errorf("create t in %s: %w", path, err)
	}
	if captured {
		if err := d.capture(ctx); err != nil {
			d.close()
			return nil, err
		}
	}
	return d, nil
}

// capture opens the engine over d's connection with t as the synced table.
func (d *db) capture(ctx context.Context) error {
	e, err := capture.OpenConn(ctx, d.conn, capture.Options{Profile: schema.Desktop, Spec: peerSpec()})
	if err != nil {
		return fmt.Errorf("open engine on %s: %w", d.path, err)
	}
	d.engine = e
	return nil
}

// openApp creates a desktop-profile database at path: migrated with
// schema.Migrate and no triggers when plain, opened with capture.Open (the
// app's full sync spec, triggers installed) when captured.
func openApp(ctx context.Context, path string, captured bool) (*db, error) {
	if captured {
		return openAppEngine(ctx, path)
	}
	conn, err := openFile(path)
	if err != nil {
		return nil, err
	}
	d := &db{path: path, conn: conn}
	if _, err := schema.Migrate(ctx, conn, schema.Desktop); err != nil {
		d.close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	return d, nil
}

// close closes the engine (if any) and the connection.
func (d *db) close() error {
	var err error
	if d.engine != nil {
		err = d.engine.Close()
		d.engine = nil
		if d.ownedByEngine {
			d.conn = nil
		}
	}
	if d.conn != nil {
		if cerr := d.conn.Close(); err == nil {
			err = cerr
		}
		d.conn = nil
	}
	return err
}

// drop closes d and deletes its files.
func (d *db) drop() error {
	err := d.close()
	if rerr := removeDB(d.path); err == nil {
		err = rerr
	}
	return err
}

// queryInt runs a query returning one integer.
func queryInt(conn *sqlite3.Conn, sql string, args ...any) (int64, error) {
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", sql, err)
	}
	defer stmt.Close()
	for i, a := range args {
		if err := capture.BindValue(stmt, i+1, a); err != nil {
			return 0, fmt.Errorf("%s: bind %d: %w", sql, i+1, err)
		}
	}
	if !stmt.Step() {
		if err := stmt.Err(); err != nil {
			return 0, fmt.Errorf("%s: %w", sql, err)
		}
		return 0, fmt.Errorf("%s: no row", sql)
	}
	return stmt.ColumnInt64(0), nil
}

// queryText runs a query returning one text.
func queryText(conn *sqlite3.Conn, sql string) (string, error) {
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		return "", fmt.Errorf("%s: %w", sql, err)
	}
	defer stmt.Close()
	if !stmt.Step() {
		if err := stmt.Err(); err != nil {
			return "", fmt.Errorf("%s: %w", sql, err)
		}
		return "", fmt.Errorf("%s: no row", sql)
	}
	return stmt.ColumnText(0), nil
}

// openAppEngine opens the app's desktop database at path with the engine
// (its full sync spec, triggers installed) and the benchmark's settings.
func openAppEngine(ctx context.Context, path string) (*db, error) {
	e, err := capture.Open(ctx, path, capture.Options{Profile: schema.Desktop})
	if err != nil {
		return nil, fmt.Errorf("open engine on %s: %w", path, err)
	}
	d := &db{path: path, conn: e.Conn(), engine: e, ownedByEngine: true}
	if err := setPragmas(d.conn); err != nil {
		d.close()
		return nil, fmt.Errorf("settings of %s: %w", path, err)
	}
	return d, nil
}
