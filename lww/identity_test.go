package lww

import (
	"fmt"
	"testing"

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
