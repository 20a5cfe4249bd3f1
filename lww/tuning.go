package lww

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/triggers"
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

// queryInt reads the first column of the first row of sql, run with the
// text arguments args, into v.
func queryInt(conn *sqlite3.Conn, sql string, v *int64, args ...string) error {
	s, _, err := conn.Prepare(sql)
	if err != nil {
		return err
	}
	defer s.Close()
	for i, arg := range args {
		if err := s.BindText(i+1, arg); err != nil {
			return err
		}
	}
	if s.Step() {
		*v = s.ColumnInt64(0)
	}
	return s.Err()
}

// captureTriggersOff switches conn's triggers off for the transaction under
// way when every trigger of the main schema is a capture trigger, and
// returns the function that switches them back on. It must run inside the
// write transaction, so that no other connection can add a trigger
// between the check and the apply.
//
// The capture triggers skip every write of an Apply (sync_state.applying
// is set), but SQLite still runs each one's WHEN clause per row, and a
// table with triggers makes every write to it keep a statement journal.
// Switching them off (SQLITE_DBCONFIG_ENABLE_TRIGGER) spares both and
// changes nothing else: foreign key actions (ON DELETE CASCADE) and TEMP
// triggers still run. When the schema holds a trigger of the app's own,
// triggers stay on, so that the app's trigger runs on merged writes as it
// does on local ones. Failures leave the setting alone.
func captureTriggersOff(conn *sqlite3.Conn) (restore func()) {
	nothing := func() {}
	var others int64
	err := queryInt(conn, `SELECT count(*) FROM main.sqlite_schema
		WHERE type = 'trigger' AND substr(name, 1, length(?1)) <> ?1`, &others, triggers.Prefix)
	if err != nil || others > 0 {
		return nothing
	}
	on, err := conn.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER)
	if err != nil || !on {
		return nothing
	}
	if _, err := conn.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER, false); err != nil {
		return nothing
	}
	return func() { conn.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER, true) }
}
