package main

import (
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// Storage measurement. Where the SQLite build has the dbstat virtual table,
// a table's size is the sum of its b-tree pages (pgsize). This build (the
// ncruces WASM one) has none, so the fallback computes each row's size in
// SQLite's record format from its values with SQL:
//
//   - the record: a 1-byte header-size varint, one serial-type varint per
//     column (1 byte, or 2 for texts and blobs of 58 bytes and more), and the
//     body: 0 bytes for NULL and the integers 0 and 1, 1, 2, 3, 4, 6 or 8
//     bytes for other integers by magnitude, 8 for a real, the UTF-8 bytes of
//     a text, the bytes of a blob; an INTEGER PRIMARY KEY column is stored as
//     NULL (its value is the rowid);
//   - per row, the cell overhead: the payload-length varint, the rowid varint
//     (rowid tables only) and the 2-byte cell pointer.
//
// It leaves out b-tree interior pages, page headers, free space in pages,
// overflow pages and indexes; the storage case also reports a file-level
// measure (VACUUMed file sizes) that includes all of them.

// hasDBStat reports whether conn's SQLite has the dbstat virtual table.
func hasDBStat(conn *sqlite3.Conn) bool {
	_, err := queryInt(conn, `SELECT count(*) FROM dbstat WHERE name = 'sqlite_schema'`)
	return err == nil
}

// tableBytes returns the size of table's rows and their count, by dbstat
// pages when useDBStat, else by the record-format estimate.
func tableBytes(conn *sqlite3.Conn, table string, useDBStat bool) (bytes, rows int64, err error) {
	rows, err = queryInt(conn, `SELECT count(*) FROM `+quoteID(table))
	if err != nil {
		return 0, 0, err
	}
	if useDBStat {
		bytes, err = queryInt(conn, `SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ?`, table)
		return bytes, rows, err
	}
	sql, err := recordSizeSQL(conn, table)
	if err != nil {
		return 0, 0, err
	}
	bytes, err = queryInt(conn, sql)
	return bytes, rows, err
}

// recordSizeSQL returns a query summing the estimated stored size of every
// row of table (see the comment at the top of this file).
func recordSizeSQL(conn *sqlite3.Conn, table string) (string, error) {
	wr, err := queryInt(conn, `SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?`, table)
	if err != nil {
		return "", fmt.Errorf("size of %s: %w", table, err)
	}
	stmt, _, err := conn.Prepare(`SELECT name, upper(type), pk FROM pragma_table_info(?)`)
	if err != nil {
		return "", fmt.Errorf("size of %s: %w", table, err)
	}
	defer stmt.Close()
	if err := stmt.BindText(1, table); err != nil {
		return "", fmt.Errorf("size of %s: %w", table, err)
	}
	type col struct {
		name, typ string
		pk        int64
	}
	var cols []col
	pks := 0
	for stmt.Step() {
		c := col{stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnInt64(2)}
		if c.pk > 0 {
			pks++
		}
		cols = append(cols, c)
	}
	if err := stmt.Err(); err != nil {
		return "", fmt.Errorf("size of %s: %w", table, err)
	}
	if len(cols) == 0 {
		return "", fmt.Errorf("size of %s: no such table", table)
	}
	var hdr, body []string
	for _, c := range cols {
		if wr == 0 && pks == 1 && c.pk == 1 && c.typ == "INTEGER" {
			hdr, body = append(hdr, "1"), append(body, "0") // the rowid alias is stored as NULL
			continue
		}
		x := quoteID(c.name)
		n := `length(CAST(` + x + ` AS BLOB))`
		hdr = append(hdr, `(CASE typeof(`+x+`) WHEN 'text' THEN `+varintLen(n+`*2+13`)+` WHEN 'blob' THEN `+varintLen(n+`*2+12`)+` ELSE 1 END)`)
		body = append(body, `(CASE typeof(`+x+`) WHEN 'null' THEN 0 WHEN 'real' THEN 8 WHEN 'integer' THEN `+intBytes(x)+` ELSE `+n+` END)`)
	}
	payload := `1 + ` + strings.Join(hdr, " + ") + ` + ` + strings.Join(body, " + ")
	cell := `p + ` + varintLen("p") + ` + 2`
	rowid := ""
	if wr == 0 {
		cell += ` + ` + varintLen("r")
		rowid = `, rowid AS r`
	}
	return `SELECT coalesce(sum(` + cell + `), 0) FROM (SELECT ` + payload + ` AS p` + rowid + ` FROM ` + quoteID(table) + `)`, nil
}

// varintLen is SQL for the length of SQLite's varint encoding of the
// non-negative expression v (up to 5 bytes, enough for every size here).
func varintLen(v string) string {
	return `(CASE WHEN (` + v + `) < 128 THEN 1 WHEN (` + v + `) < 16384 THEN 2 WHEN (` + v + `) < 2097152 THEN 3 WHEN (` + v + `) < 268435456 THEN 4 ELSE 5 END)`
}

// intBytes is SQL for the body size of the integer x in a record.
func intBytes(x string) string {
	return `(CASE WHEN ` + x + ` IN (0, 1) THEN 0 WHEN ` + x + ` BETWEEN -128 AND 127 THEN 1 WHEN ` + x + ` BETWEEN -32768 AND 32767 THEN 2` +
		` WHEN ` + x + ` BETWEEN -8388608 AND 8388607 THEN 3 WHEN ` + x + ` BETWEEN -2147483648 AND 2147483647 THEN 4` +
		` WHEN ` + x + ` BETWEEN -140737488355328 AND 140737488355327 THEN 6 ELSE 8 END)`
}

// quoteID quotes an SQL identifier.
func quoteID(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// fileBytes VACUUMs the database and returns its size in bytes
// (page_count × page_size), WAL content included.
func fileBytes(conn *sqlite3.Conn) (int64, error) {
	if err := conn.Exec(`VACUUM`); err != nil {
		return 0, fmt.Errorf("vacuum: %w", err)
	}
	pages, err := queryInt(conn, `PRAGMA page_count`)
	if err != nil {
		return 0, err
	}
	size, err := queryInt(conn, `PRAGMA page_size`)
	if err != nil {
		return 0, err
	}
	return pages * size, nil
}
