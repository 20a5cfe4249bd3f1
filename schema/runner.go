package schema

import (
	"context"
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// Result says what Migrate did.
type Result struct {
	// From is the version the database was at, 0 for a new one.
	From int
	// To is the version it is at now.
	To int
}

// Migrate brings the database behind conn to the latest version in profile
// p. Each migration commits in one transaction together with its version row
// and checksum, so a failure leaves the database at the previous version and
// the next call retries. A database at the latest version is not written to.
//
// Before it changes anything, Migrate refuses a database newer than the code
// (ErrTooNew), one whose recorded checksums differ from the code's
// (ErrChecksum) and one created for the other profile (ErrProfile).
func Migrate(ctx context.Context, conn *sqlite3.Conn, p Profile) (Result, error) {
	if _, err := ParseProfile(string(p)); err != nil {
		return Result{}, err
	}
	list, err := Migrations()
	if err != nil {
		return Result{}, err
	}
	return migrate(ctx, conn, p, list)
}

// migrate is Migrate over an explicit list, for tests.
func migrate(ctx context.Context, conn *sqlite3.Conn, p Profile, list []Migration) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("migrate: %w", err)
	}
	old := conn.SetInterrupt(ctx)
	defer conn.SetInterrupt(old)

	from, err := Version(conn)
	if err != nil {
		return Result{}, err
	}
	if err := check(conn, list, p, from); err != nil {
		return Result{}, err
	}
	res := Result{From: from, To: from}
	for _, m := range list[from:] {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("migrate to version %d: %w", m.Version, err)
		}
		if err := apply(conn, list, m, p); err != nil {
			return res, fmt.Errorf("migrate to version %d (%s): %w", m.Version, m.Name, err)
		}
		res.To = m.Version
	}
	return res, nil
}

// Version returns the database's schema version: the highest row of the
// app's schema_version table, or 0 when there is none.
func Version(conn *sqlite3.Conn) (int, error) {
	exists, err := tableExists(conn, "schema_version")
	if err != nil || !exists {
		return 0, err
	}
	v, err := queryInt(conn, `SELECT coalesce(max(version), 0) FROM schema_version`)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v), nil
}

// check refuses, without writing, a database the list cannot migrate.
func check(conn *sqlite3.Conn, list []Migration, p Profile, version int) error {
	if version > len(list) {
		return fmt.Errorf("database is at version %d, this code knows up to %d: %w", version, len(list), ErrTooNew)
	}
	if ok, err := tableExists(conn, "schema_checksums"); err != nil {
		return err
	} else if ok {
		stmt, _, err := conn.Prepare(`SELECT version, checksum FROM schema_checksums ORDER BY version`)
		if err != nil {
			return fmt.Errorf("read migration checksums: %w", err)
		}
		defer stmt.Close()
		for stmt.Step() {
			v, sum := stmt.ColumnInt(0), stmt.ColumnText(1)
			if v < 1 || v > len(list) {
				return fmt.Errorf("checksum recorded for unknown migration %d: %w", v, ErrTooNew)
			}
			if want := list[v-1].Checksum(); sum != want {
				return fmt.Errorf("migration %d (%s) was applied with checksum %.12s…, the code's is %.12s…; shipped migrations must never change: %w",
					v, list[v-1].Name, sum, want, ErrChecksum)
			}
		}
		if err := stmt.Err(); err != nil {
			return fmt.Errorf("read migration checksums: %w", err)
		}
	}
	if ok, err := tableExists(conn, "sync_state"); err != nil {
		return err
	} else if ok {
		stmt, _, err := conn.Prepare(`SELECT coalesce(profile, '') FROM sync_state WHERE id = 1`)
		if err != nil {
			return fmt.Errorf("read profile: %w", err)
		}
		defer stmt.Close()
		if stmt.Step() {
			if got := Profile(stmt.ColumnText(0)); got != "" && got != p {
				return fmt.Errorf("database was created as %s, opened as %s: %w", got, p, ErrProfile)
			}
		}
		if err := stmt.Err(); err != nil {
			return fmt.Errorf("read profile: %w", err)
		}
	}
	if p == Mobile {
		for _, t := range DesktopOnlyTables {
			if ok, err := tableExists(conn, t); err != nil {
				return err
			} else if ok {
				return fmt.Errorf("database has the desktop-only table %s, opened as mobile: %w", t, ErrProfile)
			}
		}
	}
	return nil
}

// apply runs one migration in its own transaction. The version is read
// again under the write lock, so two processes migrating at once apply each
// migration once.
func apply(conn *sqlite3.Conn, list []Migration, m Migration, p Profile) (err error) {
	tx, err := conn.BeginImmediate()
	if err != nil {
		return err
	}
	defer tx.End(&err)

	if err := conn.Exec(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)`); err != nil {
		return err
	}
	if v, err := Version(conn); err != nil {
		return err
	} else if v >= m.Version {
		return nil // another connection got here first
	}
	// A migration's own writes to synced tables are not captured: the
	// engine adopts the rows it leaves without a register afterwards, as
	// it does rows that predate capture, so that every device running the
	// same migration ends with the same registers (capture.Engine.Adopt).
	capturing, err := tableExists(conn, "sync_state")
	if err != nil {
		return err
	}
	if capturing {
		if err := conn.Exec(`UPDATE sync_state SET applying = 1 WHERE id = 1`); err != nil {
			return err
		}
	}
	for _, s := range m.For(p) {
		if err := conn.Exec(s.SQL); err != nil {
			return fmt.Errorf("%.60q: %w", s.SQL, err)
		}
	}
	if capturing {
		if err := conn.Exec(`UPDATE sync_state SET applying = NULL WHERE id = 1`); err != nil {
			return err
		}
	}
	if err := execArgs(conn, `INSERT INTO schema_version (version) VALUES (?)`, m.Version); err != nil {
		return err
	}
	if ok, err := tableExists(conn, "schema_checksums"); err != nil {
		return err
	} else if ok {
		// Record this migration's checksum, and those of the migrations
		// applied before the table existed.
		for _, prev := range list[:m.Version] {
			if err := execArgs(conn, `INSERT OR IGNORE INTO schema_checksums (version, checksum) VALUES (?, ?)`,
				prev.Version, prev.Checksum()); err != nil {
				return err
			}
		}
	}
	if ok, err := tableExists(conn, "sync_state"); err != nil {
		return err
	} else if ok {
		if err := execArgs(conn, `UPDATE sync_state SET schema_version = ?, profile = coalesce(profile, ?) WHERE id = 1`,
			m.Version, string(p)); err != nil {
			return err
		}
	}
	return nil
}

// tableExists reports whether the main schema has a table named name.
func tableExists(conn *sqlite3.Conn, name string) (bool, error) {
	stmt, _, err := conn.Prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`)
	if err != nil {
		return false, fmt.Errorf("look up table %s: %w", name, err)
	}
	defer stmt.Close()
	if err := stmt.BindText(1, name); err != nil {
		return false, err
	}
	found := stmt.Step()
	if err := stmt.Err(); err != nil {
		return false, fmt.Errorf("look up table %s: %w", name, err)
	}
	return found, nil
}

func queryInt(conn *sqlite3.Conn, sql string) (int64, error) {
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	if !stmt.Step() {
		if err := stmt.Err(); err != nil {
			return 0, err
		}
		return 0, errors.New("no row")
	}
	return stmt.ColumnInt64(0), stmt.Err()
}

func execArgs(conn *sqlite3.Conn, sql string, args ...any) error {
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, a := range args {
		switch v := a.(type) {
		case int:
			err = stmt.BindInt64(i+1, int64(v))
		case string:
			err = stmt.BindText(i+1, v)
		default:
			err = fmt.Errorf("unsupported argument type %T", a)
		}
		if err != nil {
			return err
		}
	}
	return stmt.Exec()
}
