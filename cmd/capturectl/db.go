package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
)

// mustExist refuses a database file that is not there, so that no command
// but init creates one.
func mustExist(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return withHint(fmt.Errorf("database %s does not exist", path),
			fmt.Sprintf("create it with capturectl init --db %s --profile mobile (or --profile desktop)", shellQuote(path)))
	case err != nil:
		return fmt.Errorf("database %s: %w", path, err)
	case st.IsDir():
		return fmt.Errorf("database %s is a directory", path)
	}
	return nil
}

// readProfile returns the profile recorded in the database's sync_state,
// reading it over a read-only connection (which, unlike the default open,
// fails on a missing file instead of creating it).
func readProfile(path string) (schema.Profile, error) {
	if err := mustExist(path); err != nil {
		return "", err
	}
	conn, err := sqlite3.OpenFlags(path, sqlite3.OPEN_READONLY)
	if err != nil {
		return "", fmt.Errorf("open %s read-only: %w", path, err)
	}
	defer conn.Close()
	tables, err := tableNames(conn)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if !tables["sync_state"] {
		profile := "mobile (or desktop)"
		if tables["tracks"] {
			profile = "desktop"
		}
		return "", withHint(fmt.Errorf("%s has no sync_state table: not initialized for capture", path),
			fmt.Sprintf("initialize it with capturectl init --db %s --profile %s", shellQuote(path), profile))
	}
	var profile string
	err = queryRow(conn, `SELECT coalesce(profile, '') FROM sync_state WHERE id = 1`, func(s *sqlite3.Stmt) {
		profile = s.ColumnText(0)
	})
	if err != nil {
		return "", fmt.Errorf("read the profile of %s: %w", path, err)
	}
	p, err := schema.ParseProfile(profile)
	if err != nil {
		return "", withHint(fmt.Errorf("%s: sync_state holds %w", path, err),
			"the database was not initialized by capture; run capturectl init on it")
	}
	return p, nil
}

// openEngine opens the engine on an existing database with the profile the
// database records: read-only for the commands that only report, read-write
// (which also migrates and refreshes the triggers) for those that write.
func openEngine(ctx context.Context, e *env, path string, readOnly bool) (*capture.Engine, error) {
	p, err := readProfile(path)
	if err != nil {
		return nil, err
	}
	eng, err := capture.Open(ctx, path, capture.Options{Profile: p, ReadOnly: readOnly, Logger: e.log})
	if err != nil {
		return nil, openHint(err, path, p)
	}
	return eng, nil
}

// openHint adds a hint to the errors of capture.Open that one helps with.
func openHint(err error, path string, p schema.Profile) error {
	switch {
	case errors.Is(err, capture.ErrNotInitialized):
		return withHint(err, fmt.Sprintf("upgrade it with capturectl init --db %s --profile %s", shellQuote(path), p))
	case errors.Is(err, schema.ErrTooNew):
		return withHint(err, "the database was written by a newer version; use a newer capturectl")
	case errors.Is(err, schema.ErrChecksum):
		return withHint(err, "a shipped migration was edited; restore it and append a new migration instead")
	}
	return err
}

// tableNames returns the set of the database's table names.
func tableNames(conn *sqlite3.Conn) (map[string]bool, error) {
	names := map[string]bool{}
	err := query(conn, `SELECT name FROM sqlite_schema WHERE type = 'table'`, func(s *sqlite3.Stmt) {
		names[s.ColumnText(0)] = true
	})
	return names, err
}

// listTables returns the names of the database's tables, sorted, without
// SQLite's own.
func listTables(conn *sqlite3.Conn) ([]string, error) {
	var names []string
	err := query(conn, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`,
		func(s *sqlite3.Stmt) { names = append(names, s.ColumnText(0)) })
	return names, err
}

// query runs a query without arguments and calls scan on each row.
func query(conn *sqlite3.Conn, sql string, scan func(*sqlite3.Stmt)) error {
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for stmt.Step() {
		scan(stmt)
	}
	return stmt.Err()
}

// queryRow runs a query without arguments and calls scan on its first row;
// it fails if there is none.
func queryRow(conn *sqlite3.Conn, sql string, scan func(*sqlite3.Stmt)) error {
	found := false
	err := query(conn, sql, func(s *sqlite3.Stmt) {
		if !found {
			found = true
			scan(s)
		}
	})
	if err == nil && !found {
		err = errors.New("no row")
	}
	return err
}

// shellQuote quotes s for a POSIX shell when it needs it, for the command
// lines of hints.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// closeEngine closes eng, reporting its error through *err unless there is
// one already; use it deferred.
func closeEngine(eng *capture.Engine, err *error) {
	if cerr := eng.Close(); cerr != nil && *err == nil {
		*err = fmt.Errorf("close the database: %w", cerr)
	}
}
