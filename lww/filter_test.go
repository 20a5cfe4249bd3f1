package lww

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
)

// TestRowFilter: only discovery playlists sync, with their entries. A
// playlist that leaves the filter (its context changes) is deleted on the
// peers, with its entries, and stays as it is where it changed; one that
// enters it again comes back whole, with what was edited meanwhile. Each
// transition is made on the desktop, then on the phone.
func TestRowFilter(t *testing.T) {
	desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
	pairAll(t, desk, phone)
	desk.exec(t, `
		INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'One', 'd', 'd'), ('r2', 'u2', 'Two', 'd', 'd');
		INSERT INTO playlists (id, name, context, date_created, date_modified) VALUES ('pd', 'Crate', 'discovery', 'd', 'd'), ('pl', 'Library set', 'library', 'd', 'd');
		INSERT INTO playlist_discovery_releases (playlist_id, release_id, position) VALUES ('pd', 'r1', 1), ('pl', 'r2', 1);`)
	// have lists the playlists and entries each device holds.
	have := func(want string, devs ...*device) {
		t.Helper()
		for _, d := range devs {
			got := fmt.Sprint(query(t, d, `SELECT p.id || ':' || p.name || ':' || p.context || ':' || coalesce((SELECT group_concat(release_id) FROM playlist_discovery_releases WHERE playlist_id = p.id), '-')
				FROM playlists p ORDER BY p.id`))
			if got != want {
				t.Errorf("%s holds %s, want %s", d.name, got, want)
			}
		}
	}
	round := func() {
		t.Helper()
		for range 2 {
			exchange(t, desk, phone)
		}
		checkConverged(t, desk, phone)
		checkIntegrity(t, desk, phone)
	}
	round()
	have(`[["pd:Crate:discovery:r1"] ["pl:Library set:library:r2"]]`, desk)
	have(`[["pd:Crate:discovery:r1"]]`, phone)

	// Out, on the desktop, and edited there meanwhile: gone from the phone.
	desk.exec(t, `UPDATE playlists SET context = 'library' WHERE id = 'pd'; UPDATE playlists SET name = 'Crate, renamed' WHERE id = 'pd'`)
	round()
	have(`[["pd:Crate, renamed:library:r1"] ["pl:Library set:library:r2"]]`, desk)
	have(`[]`, phone)
	// In again: back on the phone, whole.
	desk.exec(t, `UPDATE playlists SET context = 'discovery' WHERE id = 'pd'`)
	round()
	have(`[["pd:Crate, renamed:discovery:r1"]]`, phone)

	// Out, on the phone: the desktop deletes it, the phone keeps it.
	later()
	phone.exec(t, `UPDATE playlists SET context = 'library' WHERE id = 'pd'`)
	round()
	have(`[["pl:Library set:library:r2"]]`, desk)
	have(`[["pd:Crate, renamed:library:r1"]]`, phone)
	// An entry made on the phone while the playlist is out is not
	// captured; when another device brings the playlist back in, it
	// counts as inserted.
	phone.exec(t, `INSERT INTO playlist_discovery_releases (playlist_id, release_id, position) VALUES ('pd', 'r2', 2)`)
	later()
	desk.exec(t, `INSERT INTO playlists (id, name, context, date_created, date_modified) VALUES ('pd', 'Crate from the desktop', 'discovery', 'd', 'd')`)
	round()
	have(`[["pd:Crate from the desktop:discovery:r1,r2"] ["pl:Library set:library:r2"]]`, desk)
	have(`[["pd:Crate from the desktop:discovery:r1,r2"]]`, phone)
	phone.exec(t, `UPDATE playlists SET context = 'library' WHERE id = 'pd'`)
	round()
	// In again, on the phone: back on the desktop with its entries.
	later()
	phone.exec(t, `UPDATE playlists SET context = 'discovery', name = 'Crate again' WHERE id = 'pd'`)
	round()
	have(`[["pd:Crate again:discovery:r1,r2"] ["pl:Library set:library:r2"]]`, desk)
	have(`[["pd:Crate again:discovery:r1,r2"]]`, phone)

	// A library playlist's edits and entries never cross.
	desk.exec(t, `UPDATE playlists SET name = 'Library, renamed' WHERE id = 'pl'; INSERT INTO playlist_discovery_releases (playlist_id, release_id, position) VALUES ('pl', 'r1', 2)`)
	round()
	have(`[["pd:Crate again:discovery:r1,r2"]]`, phone)
	if n := query(t, desk, `SELECT count(*) FROM local_changes WHERE entity_type = 'playlists' AND entity_id = 'pl'`)[0][0]; n != "0" {
		t.Errorf("the library playlist was captured %s times", n)
	}
}

// TestRowFilterOnUpgrade: devices that synced every playlist before the
// filter existed record, once upgraded, the library playlists as left; the
// desktop keeps its own, and a library playlist made later never reaches
// the phone.
func TestRowFilterOnUpgrade(t *testing.T) {
	dir := t.TempDir()
	unfiltered := func(p schema.Profile) *schema.Spec {
		s := schema.AppSpec().For(p)
		for i := range s.Tables {
			s.Tables[i].Filter = nil
		}
		return &s
	}
	open := func(name string, p schema.Profile, spec *schema.Spec) *device {
		e, err := capture.Open(context.Background(), filepath.Join(dir, name+".db"), capture.Options{Profile: p, Spec: spec})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return &device{name: name, e: e}
	}
	desk, phone := open("desktop", schema.Desktop, unfiltered(schema.Desktop)), open("phone", schema.Mobile, unfiltered(schema.Mobile))
	pairAll(t, desk, phone)
	desk.exec(t, `
		INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'One', 'd', 'd');
		INSERT INTO playlists (id, name, context, date_created, date_modified) VALUES ('pd', 'Crate', 'discovery', 'd', 'd'), ('pl', 'Set', 'library', 'd', 'd');
		INSERT INTO playlist_discovery_releases (playlist_id, release_id, position) VALUES ('pd', 'r1', 1), ('pl', 'r1', 1);`)
	for range 2 {
		exchange(t, desk, phone)
	}
	if n := query(t, phone, `SELECT count(*) FROM playlists`)[0][0]; n != "2" {
		t.Fatalf("before the filter the phone holds %s playlists, want both", n)
	}
	desk.e.Close()
	phone.e.Close()
	desk, phone = open("desktop", schema.Desktop, nil), open("phone", schema.Mobile, nil)
	for range 2 {
		exchange(t, desk, phone)
	}
	checkConverged(t, desk, phone)
	checkIntegrity(t, desk, phone)
	if got := fmt.Sprint(query(t, desk, `SELECT p.id, (SELECT count(*) FROM playlist_discovery_releases WHERE playlist_id = p.id) FROM playlists p ORDER BY id`)); got != `[["pd" 1] ["pl" 1]]` {
		t.Errorf("the desktop holds %s, want its two playlists with their entries", got)
	}
	desk.exec(t, `INSERT INTO playlists (id, name, context, date_created, date_modified) VALUES ('pl2', 'Set 2', 'library', 'd', 'd')`)
	for range 2 {
		exchange(t, desk, phone)
	}
	if n := query(t, phone, `SELECT count(*) FROM playlists WHERE id = 'pl2'`)[0][0]; n != "0" {
		t.Error("a library playlist made after the filter reached the phone")
	}
}

// TestRowFilterInsertOutside: a row inserted outside its filter under the
// key of an entity that is live for the peers takes that entity from them.
// Here the desktop's entry was not in its table (deleted behind the
// capture triggers) when its playlist left the filter, so no touch logged
// it; the app then adds the same release to the playlist, now a library
// one. The insert logs the entry's delete: no row outside its filter is a
// live entity (Verify, rule filter), and the phone drops the entry.
func TestRowFilterInsertOutside(t *testing.T) {
	desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
	pairAll(t, desk, phone)
	desk.exec(t, `
		INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'One', 'd', 'd');
		INSERT INTO playlists (id, name, context, date_created, date_modified) VALUES ('pd', 'Crate', 'discovery', 'd', 'd');
		INSERT INTO playlist_discovery_releases (playlist_id, release_id, position) VALUES ('pd', 'r1', 1);`)
	exchange(t, desk, phone)
	desk.exec(t, `BEGIN; UPDATE sync_state SET applying = 1;
		DELETE FROM playlist_discovery_releases WHERE playlist_id = 'pd';
		UPDATE sync_state SET applying = NULL; COMMIT`)
	later()
	desk.exec(t, `UPDATE playlists SET context = 'library' WHERE id = 'pd'`)
	later()
	desk.exec(t, `INSERT INTO playlist_discovery_releases (playlist_id, release_id, position) VALUES ('pd', 'r1', 5)`)
	if got := query(t, desk, `SELECT tombstone FROM field_timestamps WHERE entity_type = 'playlist_discovery_releases' AND field_name = ''`); fmt.Sprint(got) != `[[1]]` {
		t.Fatalf("the entry's existence register on the desktop: got %v, want a tombstone", got)
	}
	desk.verify(t)
	for range 2 {
		exchange(t, desk, phone)
	}
	if got := query(t, phone, `SELECT (SELECT count(*) FROM playlists), (SELECT count(*) FROM playlist_discovery_releases)`); fmt.Sprint(got) != `[[0 0]]` {
		t.Errorf("the phone holds %v playlists and entries, want none", got)
	}
	if got := query(t, desk, `SELECT position FROM playlist_discovery_releases WHERE playlist_id = 'pd'`); fmt.Sprint(got) != `[[5]]` {
		t.Errorf("the desktop's library entry: got %v, want it as the app wrote it", got)
	}
}
