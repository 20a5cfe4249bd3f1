package lww

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// exportStats exports from d for peer and returns the changeset and what
// Export says it wrote.
func (d *device) exportStats(t testing.TB, peer *device, snapshot bool) ([]byte, capture.ExportStats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := d.e.Export(context.Background(), &buf, capture.ExportOptions{Peer: peer.e.NodeID(), Snapshot: snapshot})
	if err != nil {
		t.Fatalf("%s exports for %s: %v", d.name, peer.name, err)
	}
	return buf.Bytes(), st
}

// expectSent exports from d for peer, checks the record counts, and
// applies the changeset on peer.
func expectSent(t testing.TB, d, peer *device, fields, rows int64, what string) {
	t.Helper()
	cs, st := d.exportStats(t, peer, false)
	if st.Fields != fields || st.Rows != rows {
		t.Errorf("%s: %s's delta to %s holds %d fields and %d rows, want %d and %d", what, d.name, peer.name, st.Fields, st.Rows, fields, rows)
	}
	peer.apply(t, cs)
}

// bulkV2Rows adds n releases, with two tracks and one tag assignment each,
// to a version 2 desktop database.
func bulkV2Rows(n int) string {
	nums := fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) `, n)
	return nums + `INSERT INTO discovery_releases (id, url, title, artist, date_added, date_modified)
			SELECT 'bulk' || i, 'https://bulk.example/' || i, 'Bulk ' || i, 'Artist ' || (i % 17), '2024-01-01', '2024-01-01' FROM n;
		` + nums + `INSERT INTO discovery_tracks (id, release_id, name, position, duration_ms)
			SELECT 'bulk' || i || '-' || p, 'bulk' || i, 'Track ' || p, p, 1000 * i + p FROM n, (SELECT 1 AS p UNION ALL SELECT 2);
		` + nums + `INSERT INTO discovery_release_tags (release_id, tag_id) SELECT 'bulk' || i, 'g1' FROM n;`
}

// TestReceivedCollectionIsNotSentBack: a desktop whose collection predates
// capture (its rows adopted, with the origin "adopted") sends it to a new
// phone, by snapshot or by delta. The phone then edits one field: its
// next delta to the desktop carries that field alone, not the collection
// it got from the desktop (nor is it pending for the desktop), and the
// desktop's next delta carries nothing.
func TestReceivedCollectionIsNotSentBack(t *testing.T) {
	for _, snapshot := range []bool{true, false} {
		t.Run(fmt.Sprintf("snapshot=%v", snapshot), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "desktop.db")
			sqlitetest.Exec(t, sqlitetest.DesktopV2(t, path), moreV2Rows+bulkV2Rows(200))
			desk := openExisting(t, "desktop", path, schema.Desktop)
			adopted := query(t, desk, `SELECT count(*) FROM field_timestamps WHERE origin = '`+capture.AdoptedOrigin+`'`)[0][0]
			if adopted == "0" {
				t.Fatal("no row adopted")
			}
			phone := newDevice(t, "phone", schema.Mobile)
			pairAll(t, desk, phone)
			cs, st := desk.exportStats(t, phone, snapshot)
			if st.Rows < 800 {
				t.Fatalf("the first sync carries %d rows (%s adopted)", st.Rows, adopted)
			}
			phone.apply(t, cs)

			later()
			phone.exec(t, `UPDATE discovery_releases SET notes = 'phone notes' WHERE id = 'bulk7'`)
			pending := 0
			for c, err := range phone.e.Pending(context.Background(), desk.e.NodeID()) {
				if err != nil {
					t.Fatal(err)
				}
				if pending++; c.Field != "notes" {
					t.Errorf("pending for the desktop: %+v", c)
				}
			}
			if pending != 1 {
				t.Errorf("%d changes pending for the desktop, want 1", pending)
			}
			expectSent(t, phone, desk, 1, 0, "one field edited on the phone")
			expectSent(t, desk, phone, 0, 0, "nothing new on the desktop")
			expectSent(t, phone, desk, 0, 0, "nothing new on the phone")
			checkConverged(t, desk, phone)
			if got := query(t, desk, `SELECT notes FROM discovery_releases WHERE id = 'bulk7'`); got[0][0] != `"phone notes"` {
				t.Errorf("bulk7 on the desktop: %v", got)
			}

			// An edit on the desktop to a row the phone sent back
			// nothing of still goes to the phone.
			later()
			desk.exec(t, `UPDATE discovery_tracks SET name = 'renamed' WHERE id = 'bulk3-2'`)
			expectSent(t, desk, phone, 1, 0, "one field edited on the desktop")
			expectSent(t, phone, desk, 0, 0, "the desktop's edit, received")
			checkConverged(t, desk, phone)
		})
	}
}

// TestRelayedChangesAreNotSentBack: with A paired with B and B with C, a
// change relays A -> B -> C, and none goes back to the device it came
// from, whatever its origin: C does not send B what B relayed from A, nor
// A send B what B relayed from C. A register that a third device
// overwrote after goes back, with the newer write.
func TestRelayedChangesAreNotSentBack(t *testing.T) {
	a, b, c := newDevice(t, "a", schema.Mobile), newDevice(t, "b", schema.Mobile), newDevice(t, "c", schema.Mobile)
	pairAll(t, a, b)
	pairAll(t, b, c)

	a.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'https://x/1', 'From A', 'd', 'd')`)
	expectSent(t, a, b, 0, 1, "A's insert")
	expectSent(t, b, c, 0, 1, "A's insert, relayed by B")
	expectSent(t, c, b, 0, 0, "A's insert, relayed to C by B")
	expectSent(t, b, a, 0, 0, "A's insert, received from A")

	later()
	c.exec(t, `UPDATE discovery_releases SET notes = 'from C' WHERE id = 'r1'`)
	expectSent(t, c, b, 1, 0, "C's edit")
	expectSent(t, b, a, 1, 0, "C's edit, relayed by B")
	expectSent(t, a, b, 0, 0, "C's edit, relayed to A by B")
	expectSent(t, b, c, 0, 0, "C's edit, received from C")

	// A's write reaches B, then C overwrites the register: B sends A the
	// newer write, though the register's older one came from A.
	later()
	a.exec(t, `UPDATE discovery_releases SET title = 'title from A' WHERE id = 'r1'`)
	expectSent(t, a, b, 1, 0, "A's title")
	later()
	c.exec(t, `UPDATE discovery_releases SET title = 'title from C' WHERE id = 'r1'`)
	expectSent(t, b, c, 1, 0, "A's title, relayed by B")
	expectSent(t, c, b, 1, 0, "C's title, over A's")
	expectSent(t, b, a, 1, 0, "C's title, relayed by B over A's")
	expectSent(t, a, b, 0, 0, "C's title, relayed to A by B")
	checkConverged(t, a, b, c)
	if got := query(t, a, `SELECT title || '/' || notes FROM discovery_releases WHERE id = 'r1'`); got[0][0] != `"title from C/from C"` {
		t.Errorf("r1 on A: %v", got)
	}
}

// TestOwnChangeRelayedBackIsStillSent: a change that reached a device
// through a third one, not from its origin, is still sent to its origin
// (docs/device-lifecycle.md, "Limits"): only what a device sent itself is
// left out of what it is sent.
func TestOwnChangeRelayedBackIsStillSent(t *testing.T) {
	a, b, c := newDevice(t, "a", schema.Mobile), newDevice(t, "b", schema.Mobile), newDevice(t, "c", schema.Mobile)
	pairAll(t, a, b, c)
	c.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'https://x/1', 'From C', 'd', 'd')`)
	expectSent(t, c, b, 0, 1, "C's insert")
	expectSent(t, b, a, 0, 1, "C's insert, relayed by B")
	expectSent(t, a, c, 0, 1, "C's insert, relayed to A by B, back to C")
	expectSent(t, a, b, 0, 0, "C's insert, relayed to A by B, back to B")
	expectSent(t, c, a, 0, 1, "C's own insert, which A got relayed")
	checkConverged(t, a, b, c)
}
