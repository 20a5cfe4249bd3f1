package capture

import (
	"errors"
	"fmt"
	"math"

	"github.com/ncruces/go-sqlite3"
)

// exec runs one statement with arguments.
func (e *Engine) exec(sql string, args ...any) error {
	return execConn(e.conn, sql, args...)
}

func execConn(conn *sqlite3.Conn, sql string, args ...any) error {
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		return err
	}
	defer stmt.Close()
	if err := bindAll(stmt, args); err != nil {
		return err
	}
	return stmt.Exec()
}

// queryRow runs a query and calls scan on its first row, or returns
// errNoRow when there is none.
func (e *Engine) queryRow(sql string, args []any, scan func(*sqlite3.Stmt)) error {
	stmt, _, err := e.conn.Prepare(sql)
	if err != nil {
		return err
	}
	defer stmt.Close()
	if err := bindAll(stmt, args); err != nil {
		return err
	}
	if !stmt.Step() {
		if err := stmt.Err(); err != nil {
			return err
		}
		return errNoRow
	}
	scan(stmt)
	return stmt.Err()
}

// query runs a query and calls scan on each row.
func (e *Engine) query(sql string, args []any, scan func(*sqlite3.Stmt) error) error {
	stmt, _, err := e.conn.Prepare(sql)
	if err != nil {
		return err
	}
	defer stmt.Close()
	if err := bindAll(stmt, args); err != nil {
		return err
	}
	for stmt.Step() {
		if err := scan(stmt); err != nil {
			return err
		}
	}
	return stmt.Err()
}

var errNoRow = errors.New("no row")

func bindAll(stmt *sqlite3.Stmt, args []any) error {
	for i, a := range args {
		if err := BindValue(stmt, i+1, a); err != nil {
			return fmt.Errorf("bind %d: %w", i+1, err)
		}
	}
	return nil
}

// BindValue binds v to parameter i of stmt. v is a SQLite value as Go holds
// it: nil, int64, float64, string (TEXT) or []byte (BLOB); int and bool are
// taken as integers too.
func BindValue(stmt *sqlite3.Stmt, i int, v any) error {
	switch x := v.(type) {
	case nil:
		return stmt.BindNull(i)
	case int64:
		return stmt.BindInt64(i, x)
	case int:
		return stmt.BindInt64(i, int64(x))
	case bool:
		return stmt.BindBool(i, x)
	case float64:
		if math.IsNaN(x) {
			return fmt.Errorf("NaN is not a SQLite value")
		}
		return stmt.BindFloat(i, x)
	case string:
		return stmt.BindText(i, x)
	case []byte:
		if x == nil {
			x = []byte{}
		}
		return stmt.BindBlob(i, x)
	}
	return fmt.Errorf("unsupported value type %T", v)
}

// ColumnValue returns column i of stmt's current row as a Go value: nil,
// int64, float64, string (TEXT, byte for byte) or []byte (BLOB).
func ColumnValue(stmt *sqlite3.Stmt, i int) any {
	switch stmt.ColumnType(i) {
	case sqlite3.INTEGER:
		return stmt.ColumnInt64(i)
	case sqlite3.FLOAT:
		return stmt.ColumnFloat(i)
	case sqlite3.TEXT:
		return string(stmt.ColumnRawText(i))
	case sqlite3.BLOB:
		return append([]byte{}, stmt.ColumnRawBlob(i)...)
	}
	return nil
}
