package main

import (
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// openRW opens (creating if missing) a database for writing, with the
// connection settings the app uses.
func openRW(path string) (*sqlite3.Conn, error) {
	conn, err := sqlite3.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := conn.BusyTimeout(5 * time.Second); err != nil {
		conn.Close()
		return nil, err
	}
	if err := conn.Exec(`PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL`); err != nil {
		conn.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return conn, nil
}

// listTables returns the names of the database's tables, sorted.
func listTables(conn *sqlite3.Conn) ([]string, error) {
	stmt, _, err := conn.Prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	var names []string
	for stmt.Step() {
		names = append(names, stmt.ColumnText(0))
	}
	return names, stmt.Err()
}
