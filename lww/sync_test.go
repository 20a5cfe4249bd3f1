package lww

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// device is one replica in a test.
type device struct {
	name string
	e    *capture.Engine
	path string // the database file
	p    schema.Profile
}

func newDevice(t testing.TB, name string, p schema.Profile) *device {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".db")
	e, err := capture.Open(context.Background(), path, capture.Options{Profile: p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return &device{name: name, e: e, path: path, p: p}
}

// pairAll pairs every device with every other.
func pairAll(t testing.TB, devs ...*device) {
	t.Helper()
	for _, a := range devs {
		for _, b := range devs {
			if a != b {
				if err := a.e.Pair(context.Background(), capture.Device{ID: b.e.NodeID(), Name: b.name}, []byte("t")); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func (d *device) exec(t testing.TB, sql string) {
	t.Helper()
	sqlitetest.Exec(t, d.e.Conn(), sql)
}

// export writes a delta (or snapshot) changeset from d for peer.
func (d *device) export(t testing.TB, peer *device, snapshot bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := d.e.Export(context.Background(), &buf, capture.ExportOptions{Peer: peer.e.NodeID(), Snapshot: snapshot}); err != nil {
		t.Fatalf("%s exports for %s: %v", d.name, peer.name, err)
	}
	return buf.Bytes()
}

func (d *device) apply(t testing.TB, cs []byte) Result {
	t.Helper()
	res, err := Apply(context.Background(), d.e, bytes.NewReader(cs), Options{})
	if err != nil {
		t.Fatalf("%s applies: %v", d.name, err)
	}
	for _, v := range res.Violations {
		t.Errorf("%s: the Apply's own check: %v", d.name, v)
	}
	d.verify(t)
	return res
}

// verify fails the test when d's tables do not match its sync state
// (Verify), as after every Apply in the tests.
func (d *device) verify(t testing.TB) {
	t.Helper()
	if raceEnabled {
		return // single-goroutine, checked in the plain runs; tenfold slower here
	}
	rep, err := Verify(context.Background(), d.e, VerifyOptions{Limit: 20})
	if err != nil {
		t.Fatalf("%s verifies: %v", d.name, err)
	}
	for _, v := range rep.Violations {
		t.Errorf("%s: %v", d.name, v)
	}
	if !rep.OK() {
		t.FailNow()
	}
}

// syncTo sends from's delta to to, and to's acknowledgement back.
func syncTo(t testing.TB, from, to *device) {
	t.Helper()
	to.apply(t, from.export(t, to, false))
}

// exchange syncs both ways, twice, so acknowledgements flow too.
func exchange(t testing.TB, a, b *device) {
	t.Helper()
	syncTo(t, a, b)
	syncTo(t, b, a)
}

// state dumps what must converge: the synced tables and the registers
// (stamps with the origin spelled out, without local sequence numbers).
func (d *device) state(t testing.TB) string {
	t.Helper()
	c := d.e.Conn()
	var b strings.Builder
	for _, ti := range d.e.Tables() {
		fmt.Fprintf(&b, "== %s\n", ti.Name)
		// Device-local rows, and rows outside a filter, differ by design.
		q := `SELECT * FROM "` + ti.Name + `" WHERE ` + triggers.Syncs(ti, `"`+ti.Name+`"`)
		var rows []string
		for _, r := range sqlitetest.Rows(t, c, q) {
			rows = append(rows, strings.Join(r, " | "))
		}
		slices.Sort(rows)
		b.WriteString(strings.Join(rows, "\n") + "\n")
	}
	b.WriteString("== registers\n")
	for _, r := range sqlitetest.Rows(t, c, `SELECT entity_type, entity_id, field_name, hlc, coalesce(origin, (SELECT node_id FROM sync_state)), tombstone
		FROM field_timestamps ORDER BY entity_type, entity_id, field_name`) {
		b.WriteString(strings.Join(r, " | ") + "\n")
	}
	b.WriteString("== aliases\n")
	for _, r := range sqlitetest.Rows(t, c, `SELECT entity_type, entity_id, survivor, derived FROM entity_aliases ORDER BY entity_type, entity_id`) {
		b.WriteString(strings.Join(r, " | ") + "\n")
	}
	return b.String()
}

func checkConverged(t testing.TB, devs ...*device) {
	t.Helper()
	want := devs[0].state(t)
	for _, d := range devs[1:] {
		if got := d.state(t); got != want {
			t.Fatalf("%s and %s differ:\n%s\n%s", devs[0].name, d.name, diffLines(want, got), "")
		}
	}
}

// diffLines lists the lines only one side has.
func diffLines(a, b string) string {
	as, bs := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(a, "\n") {
		as[l] = true
	}
	for _, l := range strings.Split(b, "\n") {
		bs[l] = true
	}
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !bs[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !as[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

func TestTwoDevicesSync(t *testing.T) {
	desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
	pairAll(t, desk, phone)
	desk.exec(t, `
		INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood');
		INSERT INTO tags (id, category_id, name) VALUES ('g1', 'c1', 'Dark');
		INSERT INTO discovery_releases (id, url, artist, title, date_added, date_modified) VALUES ('r1', 'u1', 'A', 'T', 'd', 'd');
		INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t1', 'r1', 'One', 1);
		INSERT INTO discovery_release_tags VALUES ('r1', 'g1');
		INSERT INTO settings VALUES ('theme', 'dark'), ('window_state', 'max');
		INSERT INTO tracks (id, file_path, duration_ms, date_added, date_modified) VALUES ('lib1', '/a.mp3', 1, 'd', 'd');
	`)
	phone.apply(t, desk.export(t, phone, true))
	checkConverged(t, desk, phone)
	if n := sqlitetest.Int(t, phone.e.Conn(), `SELECT count(*) FROM settings WHERE key = 'window_state'`); n != 0 {
		t.Error("device-local setting crossed")
	}
	// Both sides edit the same release: different fields, and the same one.
	desk.exec(t, `UPDATE discovery_releases SET label = 'Desk Label', title = 'Desk Title'`)
	later() // the phone's title must be stamped later
	phone.exec(t, `UPDATE discovery_releases SET notes = 'phone notes', title = 'Phone Title'`)
	exchange(t, desk, phone)
	exchange(t, desk, phone)
	checkConverged(t, desk, phone)
	got := sqlitetest.Rows(t, desk.e.Conn(), `SELECT label, notes, title FROM discovery_releases`)[0]
	if got[0] != `"Desk Label"` || got[1] != `"phone notes"` || got[2] != `"Phone Title"` {
		t.Errorf("merged release: %v", got)
	}
	// Delete on one side cascades the same on the other.
	phone.exec(t, `DELETE FROM discovery_releases WHERE id = 'r1'`)
	exchange(t, desk, phone)
	checkConverged(t, desk, phone)
	if n := sqlitetest.Int(t, desk.e.Conn(), `SELECT count(*) FROM discovery_tracks`); n != 0 {
		t.Error("cascade did not reach the desktop")
	}
	checkIntegrity(t, desk, phone)
}

func checkIntegrity(t testing.TB, devs ...*device) {
	t.Helper()
	for _, d := range devs {
		if rows := sqlitetest.Rows(t, d.e.Conn(), `PRAGMA foreign_key_check`); len(rows) != 0 {
			t.Errorf("%s: foreign_key_check: %v", d.name, rows)
		}
		if n := sqlitetest.Int(t, d.e.Conn(), `SELECT applying IS NULL FROM sync_state`); n != 1 {
			t.Errorf("%s: applying flag left set", d.name)
		}
	}
}

// TestApplyKeepsTempStore checks that Apply leaves the connection's
// temp_store as it found it, and keeps a connection's temporary tables.
func TestApplyKeepsTempStore(t *testing.T) {
	for _, tc := range []struct {
		name      string
		tempTable bool
	}{{"no temporary tables", false}, {"a temporary table", true}} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newDevice(t, "a", schema.Desktop), newDevice(t, "b", schema.Desktop)
			pairAll(t, a, b)
			if tc.tempTable {
				b.exec(t, `CREATE TEMP TABLE scratch (x); INSERT INTO scratch VALUES (1)`)
			}
			a.exec(t, `INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood'); INSERT INTO tags (id, category_id, name) VALUES ('t1', 'c1', 'one')`)
			syncTo(t, a, b)
			c := b.e.Conn()
			if got := sqlitetest.Int(t, c, `PRAGMA temp_store`); got != 0 {
				t.Errorf("temp_store after Apply = %d, want 0 (default)", got)
			}
			if tc.tempTable {
				if got := sqlitetest.Int(t, c, `SELECT count(*) FROM scratch`); got != 1 {
					t.Errorf("temporary table rows after Apply = %d, want 1", got)
				}
			}
			if n := sqlitetest.Int(t, c, `SELECT count(*) FROM tags WHERE id = 't1' AND name = 'one'`); n != 1 {
				t.Errorf("tag t1 'one' rows after Apply = %d, want 1", n)
			}
		})
	}
}

// TestApplyRestoresCacheSize checks that Apply gives back the page cache
// setting it found, whether it raised it or not.
func TestApplyRestoresCacheSize(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before int64 // PRAGMA cache_size
		opt    int
	}{{"default cache", -2000, 0}, {"larger cache in pages", 10000, 0}, {"left alone", -2000, -1}} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newDevice(t, "a", schema.Desktop), newDevice(t, "b", schema.Desktop)
			pairAll(t, a, b)
			b.exec(t, fmt.Sprintf(`PRAGMA cache_size = %d`, tc.before))
			a.exec(t, `INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood')`)
			if _, err := Apply(context.Background(), b.e, bytes.NewReader(a.export(t, b, false)), Options{CacheKiB: tc.opt}); err != nil {
				t.Fatal(err)
			}
			if got := sqlitetest.Int(t, b.e.Conn(), `PRAGMA cache_size`); got != tc.before {
				t.Errorf("cache_size after Apply = %d, want %d", got, tc.before)
			}
		})
	}
}
