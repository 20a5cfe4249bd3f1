package lww

import (
	"context"
	"testing"

	"github.com/capture-sync/capture/schema"
)

// Histories that once wedged an Apply, each minimised from a seed of
// TestConvergenceProperty to the few steps that matter. Each names its
// cause; the seeds are those of issue #13.

// TestRegressionLocalInsertsOverStaleParkedValues (seeds 122, 5003 and
// 5085, at 200 to 400 steps): a peer's delete of a release parked the
// release's newer edit and, as a cascade would, its track. This device then
// inserted the release and the track again itself. Their parked values
// went stale (the local inserts are newer) and were left in place. The
// next Apply's replay of the release placed its parked children, and built
// the track from its key alone, since none of its parked values counted any
// more: the NOT NULL release_id refused it, on every Apply from then on.
func TestRegressionLocalInsertsOverStaleParkedValues(t *testing.T) {
	desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
	pairAll(t, desk, phone)
	desk.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r5', 'https://x/r5', 'Five', 'd', 'd')`)
	syncTo(t, desk, phone)
	phone.exec(t, `INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t4', 'r5', 'one', 1)`)
	later()
	desk.exec(t, `DELETE FROM discovery_releases WHERE id = 'r5'`) // the desktop never had t4
	later()
	phone.exec(t, `UPDATE discovery_releases SET notes = 'newer than the delete' WHERE id = 'r5'`)
	syncTo(t, desk, phone) // parks r5's notes, and t4 with release_id = 'r5'
	if got := query(t, phone, `SELECT group_concat(entity_id) FROM (SELECT DISTINCT entity_id FROM parked_values ORDER BY 1)`); got[0][0] != `"r5,t4"` {
		t.Fatalf("parked on the phone: got %v, want r5 and t4", got)
	}
	later()
	phone.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r5', 'https://x/r5', 'Five again', 'd', 'd');
		INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t4', 'r5', 'two', 2)`)
	later()
	desk.exec(t, `INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood')`)
	syncTo(t, desk, phone) // its replay used to fail on the stale parked t4
	syncTo(t, phone, desk)
	syncTo(t, desk, phone)
	checkConverged(t, desk, phone)
	checkIntegrity(t, desk, phone)
	if got := query(t, desk, `SELECT r.title || '/' || t.name FROM discovery_tracks t JOIN discovery_releases r ON r.id = t.release_id WHERE t.id = 't4'`); len(got) != 1 || got[0][0] != `"Five again/two"` {
		t.Errorf("t4 on the desktop: got %v, want the phone's newer inserts", got)
	}
}

// TestIncompleteParkedRowStaysParked: whatever left an alive entity with
// parked values that do not make a whole row (here, a track without its
// NOT NULL release_id, written straight into the engine's tables), placing
// it neither fails nor inserts a row that breaks the table's constraints:
// the values stay parked, and are placed over the row once it is there.
func TestIncompleteParkedRowStaysParked(t *testing.T) {
	phone := newDevice(t, "phone", schema.Mobile)
	phone.exec(t, `INSERT INTO capture_entities (entity_type, entity_id) VALUES ('discovery_tracks', 'tx');
		INSERT INTO capture_keyed_registers (key, field_name, hlc, origin, seq, tombstone)
			VALUES (last_insert_rowid(), '', 1000, 'peer', 0, 0);
		INSERT INTO parked_values (entity_type, entity_id, field_name, value, hlc, origin)
			VALUES ('discovery_tracks', 'tx', 'name', 'parked name', 1000, 'peer')`)
	if err := Replay(context.Background(), phone.e); err != nil {
		t.Fatalf("replay of an incomplete row: %v", err)
	}
	if got := query(t, phone, `SELECT (SELECT count(*) FROM discovery_tracks), (SELECT value FROM parked_values WHERE entity_id = 'tx' AND field_name = 'name')`); got[0][0] != "0" || got[0][1] != `"parked name"` {
		t.Fatalf("got %v, want no row and the name still parked", got)
	}
	phone.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'One', 'd', 'd');
		BEGIN; UPDATE sync_state SET applying = 1; -- not captured
		INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('tx', 'r1', 'table name', 1);
		UPDATE sync_state SET applying = NULL; COMMIT`)
	if err := Replay(context.Background(), phone.e); err != nil {
		t.Fatalf("replay over the row: %v", err)
	}
	if got := query(t, phone, `SELECT name, (SELECT count(*) FROM parked_values) FROM discovery_tracks WHERE id = 'tx'`); got[0][0] != `"parked name"` || got[0][1] != "0" {
		t.Fatalf("got %v, want the parked name over the row, nothing left parked", got)
	}
}
