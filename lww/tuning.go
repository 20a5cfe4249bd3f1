package lww

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// memoryJournals keeps the statement journals of the transaction about to
// begin on conn in memory, and returns the function that restores the
// connection's setting once the transaction has ended.
//
// Every statement of an Apply that writes through a table with triggers,
// foreign keys or constraints keeps a statement journal (the pages it
// changes, so it can be undone alone). SQLite keeps it in memory up to
// 64 KiB and then moves it to a temporary file for the rest of the
// transaction, so a long Apply paid a pwrite per page per statement once a
// single statement had crossed that size. With temp_store = MEMORY the
// journals stay in memory; each holds only one statement's pages.
//
// Changing temp_store drops the connection's temporary tables, so the
// setting is left alone on a connection that has any, or when it cannot be
// read or changed (inside a transaction): the journals may then spill,
// which costs time, not correctness. The transaction that follows reports
// whatever is wrong with the connection.
func memoryJournals(conn *sqlite3.Conn) (restore func()) {
	nothing := func() {}
	var store, temps int64
	if queryInt(conn, `PRAGMA temp_store`, &store) != nil || store == 2 { // 2: MEMORY already
		return nothing
	}
	if queryInt(conn, `SELECT count(*) FROM temp.sqlite_schema`, &temps) != nil || temps > 0 {
		return nothing
	}
	if conn.Exec(`PRAGMA temp_store = MEMORY`) != nil {
		return nothing
	}
	return func() { conn.Exec(fmt.Sprintf(`PRAGMA temp_store = %d`, store)) }
}

// largerCache raises conn's page cache to at least kib KiB for the
// transaction about to begin, and returns the function that restores the
// setting. A large Apply touches more pages than SQLite's default 2 MB
// cache holds; each page evicted mid-transaction is written to the WAL and
// read back when it is needed again. Failures leave the setting alone.
func largerCache(conn *sqlite3.Conn, kib int) (restore func()) {
	nothing := func() {}
	var size, pageSize int64
	if kib <= 0 || queryInt(conn, `PRAGMA cache_size`, &size) != nil || queryInt(conn, `PRAGMA page_size`, &pageSize) != nil {
		return nothing
	}
	have := -size * 1024 // negative: KiB
	if size > 0 {
		have = size * pageSize // positive: pages
	}
	if have >= int64(kib)*1024 || conn.Exec(fmt.Sprintf(`PRAGMA cache_size = %d`, -kib)) != nil {
		return nothing
	}
	return func() { conn.Exec(fmt.Sprintf(`PRAGMA cache_size = %d`, size)) }
}

// queryInt reads the first column of the first row of sql into v.
func queryInt(conn *sqlite3.Conn, sql string, v *int64) error {
	s, _, err := conn.Prepare(sql)
	if err != nil {
		return err
	}
	defer s.Close()
	if s.Step() {
		*v = s.ColumnInt64(0)
	}
	return s.Err()
}
