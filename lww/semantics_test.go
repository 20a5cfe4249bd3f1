package lww

import (
	"testing"
	"time"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

const seedRelease = `
INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood');
INSERT INTO tags (id, category_id, name) VALUES ('g1', 'c1', 'Dark'), ('g2', 'c1', 'Deep');
INSERT INTO discovery_releases (id, url, artist, title, label, notes, date_added, date_modified)
	VALUES ('r1', 'https://x/r1', 'Artist', 'Title', 'Label', 'Notes', 'd', 'd');
INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t1', 'r1', 'One', 1), ('t2', 'r1', 'Two', 2);
INSERT INTO discovery_release_tags VALUES ('r1', 'g1');
`

// later makes sure the next edit is stamped after the previous one on any
// device (stamps carry milliseconds).
func later() { time.Sleep(3 * time.Millisecond) }

func query(t *testing.T, d *device, sql string) [][]string {
	t.Helper()
	return sqlitetest.Rows(t, d.e.Conn(), sql)
}

// TestMergeSemantics has one case per row of the table in
// docs/merge-semantics.md. Each starts from a desktop and a phone that share
// seedRelease, makes its edits, exchanges changesets, and checks both
// devices hold the stated outcome.
func TestMergeSemantics(t *testing.T) {
	tests := []struct {
		name  string
		edits func(t *testing.T, desk, phone *device)
		sql   string // what both devices must then answer
		want  string
	}{
		{"disjoint creates",
			func(t *testing.T, desk, phone *device) {
				desk.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('d1', 'u-d1', 'from desk', 'd', 'd')`)
				phone.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('p1', 'u-p1', 'from phone', 'd', 'd')`)
			},
			`SELECT group_concat(id || '=' || title, ',') FROM (SELECT * FROM discovery_releases ORDER BY id)`, `"d1=from desk,p1=from phone,r1=Title"`},
		{"both rename, the higher HLC wins",
			func(t *testing.T, desk, phone *device) {
				phone.exec(t, `UPDATE discovery_releases SET title = 'phone title'`)
				later()
				desk.exec(t, `UPDATE discovery_releases SET title = 'desk title'`)
			},
			`SELECT title FROM discovery_releases`, `"desk title"`},
		{"notes on the phone and label on the desktop both survive",
			func(t *testing.T, desk, phone *device) {
				phone.exec(t, `UPDATE discovery_releases SET notes = 'phone notes'`)
				desk.exec(t, `UPDATE discovery_releases SET label = 'desk label'`)
			},
			`SELECT notes || '/' || label FROM discovery_releases`, `"phone notes/desk label"`},
		{"an edit then a newer delete: deleted",
			func(t *testing.T, desk, phone *device) {
				phone.exec(t, `UPDATE discovery_releases SET notes = 'edited'`)
				later()
				desk.exec(t, `DELETE FROM discovery_releases WHERE id = 'r1'`)
			},
			`SELECT count(*) FROM discovery_releases`, `0`},
		{"a delete then a newer edit: still deleted, the edit does not bring it back",
			func(t *testing.T, desk, phone *device) {
				desk.exec(t, `DELETE FROM discovery_releases WHERE id = 'r1'`)
				later()
				phone.exec(t, `UPDATE discovery_releases SET notes = 'edited after'`)
			},
			`SELECT count(*) FROM discovery_releases`, `0`},
		{"a delete then a newer re-insert: back, with the re-insert's values and the newer edit",
			func(t *testing.T, desk, phone *device) {
				desk.exec(t, `DELETE FROM discovery_releases WHERE id = 'r1'`)
				later()
				phone.exec(t, `UPDATE discovery_releases SET notes = 'edit newer than the delete'`)
				exchange(t, desk, phone)
				later()
				desk.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'https://x/r1', 'Again', 'd', 'd')`)
			},
			`SELECT title || '/' || coalesce(notes, 'NULL') FROM discovery_releases`, `"Again/NULL"`},
		{"a re-insert older than an edit made while deleted keeps the edit",
			func(t *testing.T, desk, phone *device) {
				desk.exec(t, `DELETE FROM discovery_releases WHERE id = 'r1'`)
				later()
				desk.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'https://x/r1', 'Again', 'd', 'd')`)
				later()
				phone.exec(t, `UPDATE discovery_releases SET notes = 'phone edit, newest'`)
			},
			`SELECT title || '/' || notes FROM discovery_releases`, `"Again/phone edit, newest"`},
		{"a concurrent tag add and remove: both happen",
			func(t *testing.T, desk, phone *device) {
				phone.exec(t, `INSERT INTO discovery_release_tags VALUES ('r1', 'g2')`)
				desk.exec(t, `DELETE FROM discovery_release_tags WHERE tag_id = 'g1'`)
			},
			`SELECT group_concat(tag_id) FROM discovery_release_tags`, `"g2"`},
		{"the same tag removed then re-added later: present",
			func(t *testing.T, desk, phone *device) {
				desk.exec(t, `DELETE FROM discovery_release_tags WHERE tag_id = 'g1'`)
				later()
				phone.exec(t, `DELETE FROM discovery_release_tags WHERE tag_id = 'g1'; INSERT INTO discovery_release_tags VALUES ('r1', 'g1')`)
			},
			`SELECT group_concat(tag_id) FROM discovery_release_tags`, `"g1"`},
		{"device-local settings keys never cross",
			func(t *testing.T, desk, phone *device) {
				desk.exec(t, `INSERT INTO settings VALUES ('window_state', 'desk'), ('theme', 'dark')`)
				phone.exec(t, `INSERT INTO settings VALUES ('window_state', 'phone')`)
			},
			`SELECT group_concat(key || '=' || value) FROM (SELECT * FROM settings WHERE key = 'theme')`, `"theme=dark"`},
		{"a cascading delete ends as on the sender",
			func(t *testing.T, desk, phone *device) {
				phone.exec(t, `DELETE FROM discovery_releases WHERE id = 'r1'`)
			},
			`SELECT (SELECT count(*) FROM discovery_tracks) + (SELECT count(*) FROM discovery_release_tags)`, `0`},
		{"a track added concurrently with its release's delete goes with it",
			func(t *testing.T, desk, phone *device) {
				desk.exec(t, `INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t3', 'r1', 'Three', 3)`)
				phone.exec(t, `DELETE FROM discovery_releases WHERE id = 'r1'`)
			},
			`SELECT count(*) FROM discovery_tracks`, `0`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
			pairAll(t, desk, phone)
			desk.exec(t, seedRelease)
			phone.apply(t, desk.export(t, phone, true))
			later()
			tc.edits(t, desk, phone)
			exchange(t, desk, phone)
			exchange(t, desk, phone)
			checkConverged(t, desk, phone)
			checkIntegrity(t, desk, phone)
			for _, d := range []*device{desk, phone} {
				if got := query(t, d, tc.sql)[0][0]; got != tc.want {
					t.Errorf("%s: %s = %s, want %s", d.name, tc.sql, got, tc.want)
				}
			}
			if n := query(t, phone, `SELECT count(*) FROM settings WHERE key = 'window_state' AND value = 'desk'`)[0][0]; n != "0" {
				t.Error("a device-local setting crossed")
			}
		})
	}
}

// TestRelayBetweenPhones: two phones never talk to each other; the desktop
// relays each one's edits to the other.
func TestRelayBetweenPhones(t *testing.T) {
	desk := newDevice(t, "desktop", schema.Desktop)
	p1, p2 := newDevice(t, "phone1", schema.Mobile), newDevice(t, "phone2", schema.Mobile)
	pairAll(t, desk, p1)
	pairAll(t, desk, p2)
	desk.exec(t, seedRelease)
	p1.apply(t, desk.export(t, p1, true))
	p2.apply(t, desk.export(t, p2, true))
	later()
	p1.exec(t, `UPDATE discovery_releases SET notes = 'from phone 1'`)
	p2.exec(t, `UPDATE discovery_releases SET label = 'from phone 2'; INSERT INTO discovery_release_tags VALUES ('r1', 'g2')`)
	for i := 0; i < 2; i++ {
		exchange(t, p1, desk)
		exchange(t, p2, desk)
	}
	checkConverged(t, desk, p1, p2)
	for _, d := range []*device{p1, p2} {
		if got := query(t, d, `SELECT notes || '/' || label FROM discovery_releases`)[0][0]; got != `"from phone 1/from phone 2"` {
			t.Errorf("%s: %s", d.name, got)
		}
		// The relayed change keeps its origin.
		origin := query(t, d, `SELECT origin FROM field_timestamps WHERE field_name = 'notes'`)[0][0]
		if d == p2 && origin != `"`+p1.e.NodeID()+`"` {
			t.Errorf("relayed notes on phone2 has origin %s, want phone1's %s", origin, p1.e.NodeID())
		}
	}
}

// TestDeliveryOrderDoesNotMatter: the same changesets applied in any order,
// any number of times, give the same result.
func TestDeliveryOrderDoesNotMatter(t *testing.T) {
	src := newDevice(t, "source", schema.Desktop)
	a, b := newDevice(t, "a", schema.Mobile), newDevice(t, "b", schema.Mobile)
	pairAll(t, src, a, b)
	var toA, toB [][]byte
	steps := []string{
		seedRelease,
		`UPDATE discovery_releases SET notes = 'n1'; INSERT INTO discovery_release_tags VALUES ('r1', 'g2')`,
		`DELETE FROM discovery_tracks WHERE id = 't1'; UPDATE discovery_releases SET title = 'T2'`,
		`DELETE FROM discovery_releases WHERE id = 'r1'`,
		`INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'https://x/r1', 'back', 'd', 'd')`,
	}
	for _, sql := range steps {
		src.exec(t, sql)
		later()
		toA = append(toA, src.export(t, a, false)) // cursors never move: each covers all
		toB = append(toB, src.export(t, b, false))
	}
	for _, cs := range toA { // in order
		a.apply(t, cs)
	}
	for i := len(toB) - 1; i >= 0; i-- { // reversed, each twice
		b.apply(t, toB[i])
		b.apply(t, toB[i])
	}
	checkConverged(t, src, a, b)
	if res := a.apply(t, toA[len(toA)-1]); res.Won != 0 {
		t.Errorf("a changeset applied again won %d records", res.Won)
	}
}
