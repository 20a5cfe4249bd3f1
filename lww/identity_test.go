package lww

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/capture-sync/capture/capture"

	"github.com/capture-sync/capture/schema"
)

// TestSameReleaseOnTwoDevices: the desktop and the phone each add the
// release at one URL, under their own ids, with different fields and a
// track each. After they sync, both hold one release under the smaller
// id, with each field's latest write (a NULL the phone's copy only got
// from its insert does not erase the desktop's label), and both tracks.
func TestSameReleaseOnTwoDevices(t *testing.T) {
	desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
	pairAll(t, desk, phone)
	desk.exec(t, `INSERT INTO discovery_releases (id, url, title, label, date_added, date_modified) VALUES ('uuid-desk', 'https://x.bandcamp.com/album/same', 'Desk title', 'Desk label', 'd', 'd');
		INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t-desk', 'uuid-desk', 'One', 1)`)
	later()
	phone.exec(t, `INSERT INTO discovery_releases (id, url, title, notes, date_added, date_modified) VALUES ('uuid-phone', 'https://x.bandcamp.com/album/same', 'Phone title', 'Phone notes', 'd', 'd');
		INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t-phone', 'uuid-phone', 'Two', 2)`)
	res := desk.apply(t, phone.export(t, desk, false))
	if len(res.Merges) != 1 || res.Merges[0].Entity != "uuid-phone" || res.Merges[0].Survivor != "uuid-desk" {
		t.Errorf("merges: %+v", res.Merges)
	}
	for range 2 {
		exchange(t, desk, phone)
	}
	checkConverged(t, desk, phone)
	checkIntegrity(t, desk, phone)
	for _, d := range []*device{desk, phone} {
		got := query(t, d, `SELECT id, title, label, notes, (SELECT group_concat(id || '>' || release_id) FROM (SELECT * FROM discovery_tracks ORDER BY id)) FROM discovery_releases`)
		want := `[["uuid-desk" "Phone title" "Desk label" "Phone notes" "t-desk>uuid-desk,t-phone>uuid-desk"]]`
		if fmt.Sprint(got) != want {
			t.Errorf("%s: %v, want %s", d.name, got, want)
		}
		if n := query(t, d, `SELECT count(*) FROM parked_values`)[0][0]; n != "0" {
			t.Errorf("%s: %s values parked", d.name, n)
		}
	}
}

// settle syncs every pair both ways until all converge.
func settle(t *testing.T, devs ...*device) {
	t.Helper()
	for range 3 {
		for _, a := range devs {
			for _, b := range devs {
				if a != b {
					syncTo(t, a, b)
				}
			}
		}
	}
	checkConverged(t, devs...)
	checkIntegrity(t, devs...)
	for _, d := range devs {
		if n := query(t, d, `SELECT count(*) FROM parked_values`)[0][0]; n != "0" {
			t.Errorf("%s: %s values parked: %v", d.name, n, query(t, d, `SELECT * FROM parked_values`))
		}
	}
}

// expect checks a query's rows on each device.
func expect(t *testing.T, sql, want string, devs ...*device) {
	t.Helper()
	for _, d := range devs {
		if got := fmt.Sprint(query(t, d, sql)); got != want {
			t.Errorf("%s: %s\n got %s\nwant %s", d.name, sql, got, want)
		}
	}
}

// TestIdentityMerges: the scenarios of docs/merge-semantics.md, "Same
// thing, two ids".
func TestIdentityMerges(t *testing.T) {
	const cat = `INSERT INTO tag_categories (id, name) VALUES ('%s', 'Genre')`
	t.Run("same tag created on both and assigned on each", func(t *testing.T) {
		desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
		pairAll(t, desk, phone)
		desk.exec(t, fmt.Sprintf(cat, "c1")+`; `+seedRelease2)
		settle(t, desk, phone)
		desk.exec(t, `INSERT INTO tags (id, category_id, name) VALUES ('g-desk', 'c1', 'Techno'); INSERT INTO discovery_release_tags VALUES ('r1', 'g-desk')`)
		phone.exec(t, `INSERT INTO tags (id, category_id, name) VALUES ('g-phone', 'c1', 'Techno'); INSERT INTO discovery_release_tags VALUES ('r2', 'g-phone')`)
		settle(t, desk, phone)
		expect(t, `SELECT id, name FROM tags`, `[["g-desk" "Techno"]]`, desk, phone)
		expect(t, `SELECT release_id, tag_id FROM discovery_release_tags ORDER BY 1`, `[["r1" "g-desk"] ["r2" "g-desk"]]`, desk, phone)
	})
	t.Run("same category created on both, with tags under each", func(t *testing.T) {
		desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
		pairAll(t, desk, phone)
		desk.exec(t, fmt.Sprintf(cat, "c-desk")+`; INSERT INTO tags (id, category_id, name) VALUES ('g1', 'c-desk', 'Techno'), ('g2', 'c-desk', 'House')`)
		phone.exec(t, fmt.Sprintf(cat, "c-phone")+`; INSERT INTO tags (id, category_id, name) VALUES ('g3', 'c-phone', 'Techno'), ('g4', 'c-phone', 'Dub')`)
		settle(t, desk, phone)
		expect(t, `SELECT id FROM tag_categories`, `[["c-desk"]]`, desk, phone)
		// Techno is in both: the two tags merge too.
		expect(t, `SELECT id, category_id, name FROM tags ORDER BY id`, `[["g1" "c-desk" "Techno"] ["g2" "c-desk" "House"] ["g4" "c-desk" "Dub"]]`, desk, phone)
	})
	t.Run("three devices add the same URL, the desktop relaying", func(t *testing.T) {
		desk := newDevice(t, "desktop", schema.Desktop)
		p1, p2 := newDevice(t, "phone1", schema.Mobile), newDevice(t, "phone2", schema.Mobile)
		pairAll(t, desk, p1)
		pairAll(t, desk, p2)
		for _, d := range []*device{desk, p1, p2} {
			d.exec(t, `INSERT INTO discovery_releases (id, url, title, notes, date_added, date_modified) VALUES ('r-`+d.name+`', 'u', 'from `+d.name+`', '`+d.name+`', 'd', 'd')`)
			later()
		}
		for range 3 {
			exchange(t, p2, desk)
			exchange(t, p1, desk)
		}
		checkConverged(t, desk, p1, p2)
		checkIntegrity(t, desk, p1, p2)
		expect(t, `SELECT id, title FROM discovery_releases`, `[["r-desktop" "from phone2"]]`, desk, p1, p2)
		expect(t, `SELECT entity_id, survivor FROM entity_aliases ORDER BY 1`, `[["r-phone1" "r-desktop"] ["r-phone2" "r-desktop"]]`, desk, p1, p2)
	})
	t.Run("one copy edited after the other was created", func(t *testing.T) {
		desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
		pairAll(t, desk, phone)
		desk.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('b', 'u', 'desk', 'd', 'd')`)
		later()
		phone.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('a', 'u', 'phone', 'd', 'd')`)
		later()
		// The desktop edits its copy before it hears of the phone's; the
		// edit reaches the phone after the merge, under the old id.
		desk.exec(t, `UPDATE discovery_releases SET title = 'desk, edited' WHERE id = 'b'`)
		syncTo(t, phone, desk)
		syncTo(t, desk, phone)
		settle(t, desk, phone)
		expect(t, `SELECT id, title FROM discovery_releases`, `[["a" "desk, edited"]]`, desk, phone)
		// Later edits of the old id, from a device that still shows it,
		// apply to the survivor.
		later()
		desk.exec(t, `UPDATE discovery_releases SET notes = 'after the merge' WHERE id = 'a'`)
		settle(t, desk, phone)
		expect(t, `SELECT id, notes FROM discovery_releases`, `[["a" "after the merge"]]`, desk, phone)
	})
	t.Run("a collision and the delete of one copy in the same exchange", func(t *testing.T) {
		for _, tc := range []struct {
			name        string
			mergedFirst bool
			want        string
		}{
			// Deleted before it met the other: no merge, the other stays.
			{"deleted before the exchange", false, `[[1 1 0]]`},
			// Deleted by a device that has not heard of the merge: the
			// delete is the class's newest insert or delete, and the
			// entity goes, with its track, on both.
			{"deleted by a device that has not heard of the merge", true, `[[0 0 1]]`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
				pairAll(t, desk, phone)
				desk.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('a', 'u', 'desk', 'd', 'd');
					INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t1', 'a', 'One', 1)`)
				phone.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('b', 'u', 'phone', 'd', 'd')`)
				later()
				if tc.mergedFirst {
					// The phone merges; the desktop, not told yet,
					// deletes its copy.
					syncTo(t, desk, phone)
					desk.exec(t, `DELETE FROM discovery_releases WHERE id = 'a'`)
				} else {
					phone.exec(t, `DELETE FROM discovery_releases WHERE id = 'b'`)
				}
				settle(t, desk, phone)
				expect(t, `SELECT (SELECT count(*) FROM discovery_releases), (SELECT count(*) FROM discovery_tracks), (SELECT count(*) FROM entity_aliases)`,
					tc.want, desk, phone)
			})
		}
	})
	t.Run("a tag renamed to a name another device's tag holds", func(t *testing.T) {
		desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
		pairAll(t, desk, phone)
		desk.exec(t, fmt.Sprintf(cat, "c1")+`; `+seedRelease2+`; INSERT INTO tags (id, category_id, name) VALUES ('g2', 'c1', 'Tekno'), ('g3', 'c1', 'House');
			INSERT INTO discovery_release_tags VALUES ('r1', 'g2'), ('r2', 'g2')`)
		settle(t, desk, phone)
		later()
		// A local edit into a name a row here holds is SQLite's to refuse.
		if err := phone.e.Conn().Exec(`UPDATE tags SET name = 'House' WHERE id = 'g2'`); err == nil {
			t.Fatal("a local edit into a held name went through")
		}
		desk.exec(t, `INSERT INTO tags (id, category_id, name) VALUES ('g0', 'c1', 'Techno'); INSERT INTO discovery_release_tags VALUES ('r2', 'g0')`)
		phone.exec(t, `UPDATE tags SET name = 'Techno' WHERE id = 'g2'`)
		settle(t, desk, phone)
		// g2 (renamed on the phone) and g0 (new on the desktop) hold one
		// name: one tag, whose assignments are both's, the two of r2
		// collapsed into one.
		expect(t, `SELECT id, name FROM tags ORDER BY id`, `[["g0" "Techno"] ["g3" "House"]]`, desk, phone)
		expect(t, `SELECT release_id, tag_id FROM discovery_release_tags ORDER BY 1`, `[["r1" "g0"] ["r2" "g0"]]`, desk, phone)
	})
}

// seedRelease2 is two releases, for tags to be assigned to.
const seedRelease2 = `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'One', 'd', 'd'), ('r2', 'u2', 'Two', 'd', 'd')`

// TestUndoAfterMerge: a change to a merged-away id cannot be undone (its
// row is the survivor's now); one to the survivor's row can.
func TestUndoAfterMerge(t *testing.T) {
	ctx := context.Background()
	desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
	pairAll(t, desk, phone)
	desk.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('b', 'u', 'desk', 'd', 'd');
		UPDATE discovery_releases SET notes = 'desk notes' WHERE id = 'b'`)
	phone.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('a', 'u', 'phone', 'd', 'd')`)
	settle(t, desk, phone)
	var seq int64
	fmt.Sscan(query(t, desk, `SELECT max(seq) FROM local_changes WHERE entity_id = 'b' AND field_name = 'notes' AND origin IS NULL`)[0][0], &seq)
	if err := desk.e.Undo(ctx, seq); !errors.Is(err, capture.ErrUndoConflict) {
		t.Errorf("undo of a change to the merged-away id: got %v, want ErrUndoConflict", err)
	}
	later()
	desk.exec(t, `UPDATE discovery_releases SET label = 'L' WHERE id = 'a'`)
	fmt.Sscan(query(t, desk, `SELECT max(seq) FROM local_changes WHERE entity_id = 'a' AND field_name = 'label'`)[0][0], &seq)
	if err := desk.e.Undo(ctx, seq); err != nil {
		t.Errorf("undo of a change to the survivor: %v", err)
	}
	settle(t, desk, phone)
	expect(t, `SELECT id, label, notes FROM discovery_releases`, `[["a" NULL "desk notes"]]`, desk, phone)
}

// TestSnapshotCarriesMerges: a phone paired after two releases merged on
// the desktop gets, in its first snapshot, the merged release, its alias
// and both members' writes, and ends as the desktop.
func TestSnapshotCarriesMerges(t *testing.T) {
	desk, phone, tablet := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile), newDevice(t, "tablet", schema.Mobile)
	pairAll(t, desk, phone)
	desk.exec(t, `INSERT INTO discovery_releases (id, url, title, label, date_added, date_modified) VALUES ('a', 'u', 'desk', 'L', 'd', 'd');
		INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t1', 'a', 'One', 1)`)
	later()
	phone.exec(t, `INSERT INTO discovery_releases (id, url, title, notes, date_added, date_modified) VALUES ('b', 'u', 'phone', 'N', 'd', 'd');
		INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t2', 'b', 'Two', 2)`)
	settle(t, desk, phone)
	pairAll(t, desk, tablet)
	tablet.apply(t, desk.export(t, tablet, true))
	checkConverged(t, desk, tablet)
	checkIntegrity(t, tablet)
	expect(t, `SELECT id, title, label, notes, (SELECT group_concat(release_id) FROM discovery_tracks) FROM discovery_releases`,
		`[["a" "phone" "L" "N" "a,a"]]`, desk, tablet)
}
