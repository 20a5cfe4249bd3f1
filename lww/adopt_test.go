package lww

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// moreV2Rows adds to sqlitetest.V2Rows a few more rows in every shared
// table, and a device-local setting.
const moreV2Rows = `
INSERT INTO tag_categories VALUES ('c2','Genre',1,NULL);
INSERT INTO tags VALUES ('g2','c2','Techno','#00ff00',2), ('g3','c2','House',NULL,3);
INSERT INTO playlists VALUES ('p2','Later',NULL,0,0,NULL,1,'discovery','2024-01-03','2024-01-03');
INSERT INTO discovery_releases VALUES ('r2','https://b.bandcamp.com/album/y','bandcamp','B','Second',NULL,NULL,NULL,NULL,NULL,NULL,'2024-01-02','2024-01-02');
INSERT INTO discovery_tracks VALUES ('d2','r2','One',1,100000,NULL,0), ('d3','r2','Two',2,NULL,'vid',1);
INSERT INTO discovery_release_tags VALUES ('r2','g2'), ('r2','g3'), ('r1','g2');
INSERT INTO playlist_discovery_releases VALUES ('p2','r2',1,'2024-01-03'), ('p1','r2',2,'2024-01-03');
INSERT INTO settings VALUES ('crossfade','4'), ('window_state','max');
`

// openExisting opens an existing database file as a device.
func openExisting(t *testing.T, name, path string, p schema.Profile) *device {
	t.Helper()
	e, err := capture.Open(context.Background(), path, capture.Options{Profile: p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return &device{name: name, e: e, path: path, p: p}
}

// TestShippedDesktopSyncsItsCollection: the desktop database the app ships
// (schema version 2, rows in every table), upgraded and paired with a new
// phone, sends the phone every synced row in its first snapshot, field for
// field; later edits on both sides converge.
func TestShippedDesktopSyncsItsCollection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desktop.db")
	sqlitetest.Exec(t, sqlitetest.DesktopV2(t, path), moreV2Rows)
	desk := openExisting(t, "desktop", path, schema.Desktop)
	if n, err := desk.e.Unadopted(context.Background()); err != nil || len(n) != 0 {
		t.Fatalf("rows left unadopted after the upgrade: %v, %v", n, err)
	}
	phone := newDevice(t, "phone", schema.Mobile)
	pairAll(t, desk, phone)
	phone.apply(t, desk.export(t, phone, true))
	checkConverged(t, desk, phone)
	for _, table := range []string{"discovery_releases", "discovery_tracks", "discovery_release_tags", "tags", "tag_categories", "playlists", "playlist_discovery_releases"} {
		if got, want := query(t, phone, `SELECT count(*) FROM `+table), query(t, desk, `SELECT count(*) FROM `+table); got[0][0] != want[0][0] || got[0][0] == "0" {
			t.Errorf("%s: the phone has %s rows, the desktop %s", table, got[0][0], want[0][0])
		}
	}
	if got := query(t, phone, `SELECT group_concat(key) FROM (SELECT key FROM settings ORDER BY key)`); got[0][0] != `"crossfade,theme"` {
		t.Errorf("settings on the phone: %v (the device-local window_state must not cross)", got)
	}

	// Edits on both sides after the first sync, some to the same rows.
	later()
	desk.exec(t, `UPDATE discovery_releases SET label = 'desk label' WHERE id = 'r1'; DELETE FROM discovery_tracks WHERE id = 'd3'`)
	phone.exec(t, `UPDATE discovery_releases SET notes = 'phone notes' WHERE id = 'r1'; DELETE FROM discovery_release_tags WHERE release_id = 'r2' AND tag_id = 'g3';
		INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('d4', 'r2', 'Three', 3)`)
	exchange(t, desk, phone)
	exchange(t, desk, phone)
	checkConverged(t, desk, phone)
	checkIntegrity(t, desk, phone)
	if got := query(t, phone, `SELECT label || '/' || notes FROM discovery_releases WHERE id = 'r1'`); got[0][0] != `"desk label/phone notes"` {
		t.Errorf("r1 after edits on both sides: %v", got)
	}
}

// copyFile copies a database file (with no WAL open on it).
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCopiesFromBeforeSyncConverge: two devices that both hold the same
// rows, from one database copied before the sync tables existed and then
// edited apart, each adopt them when upgraded; they converge, and so do
// the edits they make after.
func TestCopiesFromBeforeSyncConverge(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	conn := sqlitetest.DesktopV2(t, a)
	sqlitetest.Exec(t, conn, moreV2Rows+`PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE`)
	conn.Close()
	copyFile(t, a, b)
	// Edited apart, by the app, before either had the sync tables.
	edits := map[string]string{
		a: `UPDATE discovery_releases SET title = 'A title' WHERE id = 'r1'; DELETE FROM discovery_tracks WHERE id = 'd2';
			INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('ra', 'https://a/only', 'Only A', 'd', 'd')`,
		b: `UPDATE discovery_releases SET notes = 'B notes' WHERE id = 'r1'; UPDATE tags SET color = '#0000ff' WHERE id = 'g2';
			INSERT INTO discovery_release_tags VALUES ('r1', 'g3')`,
	}
	for path, sql := range edits {
		c := sqlitetest.OpenPath(t, path)
		sqlitetest.Exec(t, c, sql)
		c.Close()
	}
	da, db := openExisting(t, "a", a, schema.Desktop), openExisting(t, "b", b, schema.Desktop)
	pairAll(t, da, db)
	exchange(t, da, db)
	exchange(t, da, db)
	checkConverged(t, da, db)
	for _, d := range []*device{da, db} {
		if got := query(t, d, `SELECT count(*) FROM discovery_releases WHERE id IN ('r1', 'r2', 'ra')`); got[0][0] != "3" {
			t.Errorf("%s holds %s of the releases r1, r2, ra", d.name, got[0][0])
		}
	}
	later()
	da.exec(t, `UPDATE discovery_releases SET label = 'edited on a' WHERE id = 'r2'`)
	db.exec(t, `UPDATE discovery_releases SET title = 'edited on b' WHERE id = 'r2'; DELETE FROM tags WHERE id = 'g1'`)
	exchange(t, da, db)
	exchange(t, da, db)
	checkConverged(t, da, db)
	checkIntegrity(t, da, db)
	if got := query(t, da, `SELECT label || '/' || title FROM discovery_releases WHERE id = 'r2'`); got[0][0] != `"edited on a/edited on b"` {
		t.Errorf("r2 after edits on both: %v", got)
	}
}
