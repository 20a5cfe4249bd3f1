package lww

import (
	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/internal/tune"
	"github.com/capture-sync/capture/triggers"
)

// captureTriggersOff switches conn's triggers off for the transaction under
// way when every trigger of the main schema is a capture trigger, and
// returns the function that switches them back on, and whether triggers
// are off for the transaction (switched off here, or off already). It must
// run inside the write transaction, so that no other connection can add a
// trigger between the check and the apply.
//
// The capture triggers skip every write of an Apply (sync_state.applying
// is set), but SQLite still runs each one's WHEN clause per row, and a
// table with triggers makes every write to it keep a statement journal.
// Switching them off (SQLITE_DBCONFIG_ENABLE_TRIGGER) spares both and
// changes nothing else: foreign key actions (ON DELETE CASCADE) and TEMP
// triggers still run. When the schema holds a trigger of the app's own,
// triggers stay on, so that the app's trigger runs on merged writes as it
// does on local ones. A capture trigger is one whose name starts with
// triggers.Prefix: the prefix is reserved (Install drops any such trigger
// it did not generate). Failures leave the setting alone.
func captureTriggersOff(conn *sqlite3.Conn) (restore func(), off bool) {
	nothing := func() {}
	on, err := conn.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER)
	if err != nil {
		return nothing, false
	}
	if !on {
		return nothing, true
	}
	var others int64
	err = tune.Int(conn, `SELECT count(*) FROM main.sqlite_schema
		WHERE type = 'trigger' AND substr(name, 1, length(?1)) <> ?1`, &others, triggers.Prefix)
	if err != nil || others > 0 {
		return nothing, false
	}
	if _, err := conn.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER, false); err != nil {
		return nothing, false
	}
	return func() { conn.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER, true) }, true
}
