// Package sqlitetest holds helpers for tests that work on real SQLite files:
// opening a database in a temporary directory and dumping a database's
// schema and content in a form two databases can be compared by.
package sqlitetest

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// Open opens (creating) the file name in t's temporary directory with the
// app's connection settings, and closes it when the test ends.
func Open(t testing.TB, name string) *sqlite3.Conn {
	t.Helper()
	return OpenPath(t, filepath.Join(t.TempDir(), name))
}

// OpenPath opens (creating) the database at path with the app's connection
// settings, and closes it when the test ends.
func OpenPath(t testing.TB, path string) *sqlite3.Conn {
	t.Helper()
	conn, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	Exec(t, conn, `PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000`)
	return conn
}

// Exec runs sql and fails the test on error.
func Exec(t testing.TB, conn *sqlite3.Conn, sql string) {
	t.Helper()
	if err := conn.Exec(sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// Rows runs a query and returns its rows, each value rendered exactly (see
// Value).
func Rows(t testing.TB, conn *sqlite3.Conn, sql string, args ...any) [][]string {
	t.Helper()
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer stmt.Close()
	for i, a := range args {
		if err := bind(stmt, i+1, a); err != nil {
			t.Fatalf("%s: bind %d: %v", sql, i+1, err)
		}
	}
	var out [][]string
	for stmt.Step() {
		row := make([]string, stmt.ColumnCount())
		for i := range row {
			row[i] = Value(stmt, i)
		}
		out = append(out, row)
	}
	if err := stmt.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// Int runs a query that returns one integer.
func Int(t testing.TB, conn *sqlite3.Conn, sql string, args ...any) int64 {
	t.Helper()
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer stmt.Close()
	for i, a := range args {
		if err := bind(stmt, i+1, a); err != nil {
			t.Fatalf("%s: bind %d: %v", sql, i+1, err)
		}
	}
	if !stmt.Step() {
		t.Fatalf("%s: no row (%v)", sql, stmt.Err())
	}
	return stmt.ColumnInt64(0)
}

func bind(stmt *sqlite3.Stmt, i int, a any) error {
	switch v := a.(type) {
	case nil:
		return stmt.BindNull(i)
	case int:
		return stmt.BindInt64(i, int64(v))
	case int64:
		return stmt.BindInt64(i, v)
	case float64:
		return stmt.BindFloat(i, v)
	case string:
		return stmt.BindText(i, v)
	case []byte:
		return stmt.BindBlob(i, v)
	}
	return fmt.Errorf("unsupported type %T", a)
}

// Value renders column i of the current row so that two values render alike
// exactly when they are the same SQLite value: type and bits.
func Value(stmt *sqlite3.Stmt, i int) string {
	switch stmt.ColumnType(i) {
	case sqlite3.INTEGER:
		return fmt.Sprintf("%d", stmt.ColumnInt64(i))
	case sqlite3.FLOAT:
		f := stmt.ColumnFloat(i)
		return fmt.Sprintf("%g(%#x)", f, math.Float64bits(f))
	case sqlite3.TEXT:
		return fmt.Sprintf("%q", stmt.ColumnRawText(i))
	case sqlite3.BLOB:
		return fmt.Sprintf("x'%x'", stmt.ColumnRawBlob(i))
	}
	return "NULL"
}

// Schema returns every row of sqlite_schema, sorted, one per line.
func Schema(t testing.TB, conn *sqlite3.Conn) string {
	t.Helper()
	var lines []string
	for _, r := range Rows(t, conn, `SELECT type, name, tbl_name, sql FROM sqlite_schema`) {
		lines = append(lines, strings.Join(r, " | "))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// Table returns the rows of one table, sorted, one per line, or of the
// columns cols when some are given.
func Table(t testing.TB, conn *sqlite3.Conn, table string, cols ...string) string {
	t.Helper()
	sel := "*"
	if len(cols) > 0 {
		q := make([]string, len(cols))
		for i, c := range cols {
			q[i] = quote(c)
		}
		sel = strings.Join(q, ", ")
	}
	var lines []string
	for _, r := range Rows(t, conn, "SELECT "+sel+" FROM "+quote(table)) {
		lines = append(lines, strings.Join(r, " | "))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// Tables returns the names of the tables of the main schema, sorted.
func Tables(t testing.TB, conn *sqlite3.Conn) []string {
	t.Helper()
	var names []string
	for _, r := range Rows(t, conn, `SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`) {
		name, err := strconv.Unquote(r[0])
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

// Dump returns the schema and the content of every table, for comparing two
// whole databases.
func Dump(t testing.TB, conn *sqlite3.Conn) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(Schema(t, conn))
	for _, name := range Tables(t, conn) {
		fmt.Fprintf(&b, "\n== %s\n%s", name, Table(t, conn, name))
	}
	return b.String()
}

func quote(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }
