package sqlitetest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// V2Rows puts rows in every table of the app's version 2 schema.
const V2Rows = `
INSERT INTO tracks VALUES ('t1','/music/a.mp3','h1','Title','Artist','Album',2020,'House','Label','CAT1',300000,124.5,'8A',320,44100,'mp3','rb',x'0102','/art/a.jpg','embedded',3,7,'red','2024-01-01','2024-01-02',NULL,'rb1');
INSERT INTO tag_categories VALUES ('c1','Mood',0,'#ff0000');
INSERT INTO tags VALUES ('g1','c1','Dark',NULL,1);
INSERT INTO track_tags VALUES ('t1','g1');
INSERT INTO playlists VALUES ('p1','Crate',NULL,0,0,NULL,0,'discovery','2024-01-01','2024-01-01');
INSERT INTO playlist_tracks VALUES ('p1','t1',1,'2024-01-01');
INSERT INTO cues VALUES ('q1','t1',1000,'hot',NULL,0,'Drop','blue');
INSERT INTO settings VALUES ('theme','dark');
INSERT INTO device_exports VALUES ('e1','usb1','USB','p1','2024-01-01',NULL,1);
INSERT INTO device_tracks VALUES ('usb1','t1','/PIONEER/a.mp3','h1',5,'m1','2024-01-01');
INSERT INTO export_checkpoints VALUES ('x1','usb1','USB','2024-01-01','done','[]','[]','[]','2024-01-01');
INSERT INTO discovery_releases VALUES ('r1','https://a.bandcamp.com/album/x','bandcamp','Artist','Album','Label','2024-01-01','https://img/x.jpg',NULL,'notes',NULL,'2024-01-01','2024-01-01');
INSERT INTO discovery_tracks VALUES ('d1','r1','Track 1',1,240000,NULL,1);
INSERT INTO discovery_release_tags VALUES ('r1','g1');
INSERT INTO playlist_discovery_releases VALUES ('p1','r1',1,'2024-01-01');
INSERT INTO discovery_stream_cache VALUES ('r1',1,'https://stream','2024-02-01',NULL);
INSERT INTO discovery_sc_client_id_cache VALUES (1,'cid','2024-01-01');
INSERT INTO discovery_audio_cache VALUES ('r1',1,'audio/mpeg',1234,'2024-01-01');
`

// DesktopV2 builds, at path, a database the way the desktop app ships it:
// its version 2 schema (schema/testdata/desktop-schema-v2.sql), its
// schema_version bookkeeping, and V2Rows. The connection closes when the
// test ends.
func DesktopV2(t testing.TB, path string) *sqlite3.Conn {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	ddl, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "..", "schema", "testdata", "desktop-schema-v2.sql"))
	if err != nil {
		t.Fatal(err)
	}
	conn := OpenPath(t, path)
	Exec(t, conn, `CREATE TABLE schema_version(version INTEGER PRIMARY KEY)`)
	Exec(t, conn, string(ddl))
	Exec(t, conn, `INSERT INTO schema_version VALUES (1), (2)`)
	Exec(t, conn, V2Rows)
	for _, name := range Tables(t, conn) {
		if Int(t, conn, `SELECT count(*) FROM "`+name+`"`) == 0 {
			t.Fatalf("fixture leaves %s empty", name)
		}
	}
	return conn
}
