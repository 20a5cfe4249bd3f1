package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// behindTriggers wraps sql so that the capture triggers skip it, as a
// client with the triggers dropped would write it.
func behindTriggers(sql string) string {
	return `BEGIN; UPDATE sync_state SET applying = 1; ` + sql + `; UPDATE sync_state SET applying = NULL; COMMIT`
}

// TestVerifyRepair damages a synced desktop behind the engine's back, the
// four ways issue #24 names, and runs verify and verify --repair through
// the binary: verify finds each, --repair mends what the sync state
// determines, and names the command that brings back the row only a peer
// still has; after it and a sync, verify finds nothing.
func TestVerifyRepair(t *testing.T) {
	dir, desktop, phone := pairedDevices(t)
	editDB(t, dir, "desktop.db", releasesSQL)
	editDB(t, dir, "phone.db", `INSERT INTO tag_categories (id, name, sort_order) VALUES ('c0', 'Mood', 3)`)
	sync := func(from, to, toID string) {
		t.Helper()
		ok(t, dir, "export", "--db", from, "--peer", toID, "--out", "x.cs")
		ok(t, dir, "apply", "--db", to, "x.cs")
	}
	sync("phone.db", "desktop.db", desktop) // c0 and c1 hold one name: they merge, into c0
	sync("desktop.db", "phone.db", phone)
	sync("phone.db", "desktop.db", desktop)
	for _, db := range []string{"desktop.db", "phone.db"} {
		if out := ok(t, dir, "verify", "--db", db); !strings.Contains(out, ": 0 violations") {
			t.Fatalf("verify of the undamaged %s:\n%s", db, out)
		}
	}

	editDB(t, dir, "desktop.db", behindTriggers(`
		DELETE FROM discovery_tracks WHERE id = 't1';
		INSERT INTO tags (id, category_id, name) VALUES ('g9', 'c0', 'Hidden');
		UPDATE tag_categories SET sort_order = 7 WHERE id = 'c0';
		INSERT INTO capture_keyed_registers (key, field_name, hlc, origin, seq, tombstone)
			SELECT key, 'notes', (SELECT max(hlc) FROM local_changes) + 65536, 'someone', 0, 0 FROM capture_entities
			WHERE entity_type = 'discovery_releases' AND entity_id = 'r1';
		INSERT INTO parked_values (entity_type, entity_id, field_name, value, hlc, origin)
			SELECT 'discovery_releases', 'r1', 'notes', 'parked', hlc, origin FROM field_timestamps
			WHERE entity_type = 'discovery_releases' AND entity_id = 'r1' AND field_name = 'notes'`))

	var rep verifyReport
	r := ctl(t, dir, "verify", "--db", "desktop.db", "--json")
	if r.code != exitFailure {
		t.Fatalf("verify of the damaged desktop: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if err := jsonUnmarshal(r.stdout, &rep); err != nil {
		t.Fatal(err)
	}
	found := func(rep verifyReport) []string {
		var out []string
		for _, v := range rep.Violations {
			out = append(out, fmt.Sprint(v.Rule, " ", v.Table, " ", v.Entity, " ", v.Field))
		}
		slices.Sort(out)
		return out
	}
	want := []string{
		"class-row tag_categories c0 sort_order",
		"entity-present discovery_tracks t1 ",
		"parked-placed discovery_releases r1 notes",
		"row-live tags g9 ",
	}
	if got := found(rep); !slices.Equal(got, want) {
		t.Fatalf("violations found:\n%s\nwant:\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), r.stdout)
	}
	if !strings.Contains(r.stderr, "verify --db desktop.db --repair") {
		t.Errorf("verify's hint:\n%s", r.stderr)
	}

	r = ctl(t, dir, "verify", "--db", "desktop.db", "--repair")
	if r.code != exitFailure || !strings.Contains(r.stdout, "1 rows written behind the capture triggers captured") ||
		!strings.Contains(r.stdout, "entity-present  discovery_tracks 't1' [peer]") ||
		!strings.Contains(r.stderr, "capturectl reset --db desktop.db --yes") {
		t.Fatalf("verify --repair: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if got := queryDB(t, dir, "desktop.db", `SELECT (SELECT sort_order FROM tag_categories WHERE id = 'c0'), (SELECT notes FROM discovery_releases WHERE id = 'r1'),
		(SELECT name FROM tags WHERE id = 'g9'), (SELECT count(*) FROM parked_values)`); got != "3|parked|Hidden|0" {
		t.Errorf("after the repair: %s, want the class's sort_order, the parked notes placed, g9 kept, nothing parked", got)
	}
	r = ctl(t, dir, "verify", "--db", "desktop.db", "--json")
	rep = verifyReport{}
	if err := jsonUnmarshal(r.stdout, &rep); err != nil {
		t.Fatal(err)
	}
	if got := found(rep); !slices.Equal(got, []string{"entity-present discovery_tracks t1 "}) {
		t.Fatalf("after the repair, verify finds %v", got)
	}

	// What only the phone has comes back once the desktop starts over.
	sync("desktop.db", "phone.db", phone) // g9, adopted, goes to the phone
	sync("phone.db", "desktop.db", desktop)
	ok(t, dir, "reset", "--db", "desktop.db", "--yes")
	sync("desktop.db", "phone.db", phone) // the phone learns the desktop started over, under a new id
	sync("phone.db", "desktop.db", queryDB(t, dir, "desktop.db", `SELECT node_id FROM sync_state`))
	for _, db := range []string{"desktop.db", "phone.db"} {
		if out := ok(t, dir, "verify", "--db", db); !strings.Contains(out, ": 0 violations") {
			t.Errorf("verify of %s after starting over:\n%s", db, out)
		}
	}
	if got := queryDB(t, dir, "desktop.db", `SELECT name FROM discovery_tracks WHERE id = 't1'`); got != "One" {
		t.Errorf("t1 on the desktop after starting over: %q", got)
	}
}

// queryDB runs a query of one row on dir/db and returns its columns
// joined by "|", NULL as "".
func queryDB(t *testing.T, dir, db, sql string) string {
	t.Helper()
	conn, err := sqlite3.OpenFlags(filepath.Join(dir, db), sqlite3.OPEN_READONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s, _, err := conn.Prepare(sql)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var cols []string
	if s.Step() {
		for i := range s.ColumnCount() {
			cols = append(cols, s.ColumnText(i))
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(cols, "|")
}

// TestStatusShowsDiverged: an Apply whose own check finds a touched
// entity that does not match the sync state (a deleted track's row put
// back behind the triggers, which a peer's edit newer than the delete
// then reaches) commits, and status shows DIVERGED with the hint to
// repair, until verify --repair leaves the database clean.
func TestStatusShowsDiverged(t *testing.T) {
	dir, desktop, phone := pairedDevices(t)
	editDB(t, dir, "desktop.db", releasesSQL)
	sync := func(from, to, toID string) {
		t.Helper()
		ok(t, dir, "export", "--db", from, "--peer", toID, "--out", "x.cs")
		ok(t, dir, "apply", "--db", to, "x.cs")
	}
	sync("desktop.db", "phone.db", phone)
	editDB(t, dir, "phone.db", `DELETE FROM discovery_tracks WHERE id = 't1'`)
	editDB(t, dir, "desktop.db", `UPDATE discovery_tracks SET name = 'newer than the delete' WHERE id = 't1'`)
	sync("phone.db", "desktop.db", desktop)
	editDB(t, dir, "phone.db", behindTriggers(`INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t1', 'r1', 'ghost', 1)`))
	sync("desktop.db", "phone.db", phone)
	out := ok(t, dir, "status", "--db", "phone.db")
	if !strings.Contains(out, "DIVERGED: ") || !strings.Contains(out, "row-live: discovery_tracks t1") ||
		!strings.Contains(out, "capturectl verify --db phone.db --repair") {
		t.Fatalf("status after the apply:\n%s", out)
	}
	if out := ok(t, dir, "verify", "--db", "phone.db", "--repair"); !strings.Contains(out, "1 rows removed") || !strings.Contains(out, ": 0 violations") {
		t.Fatalf("verify --repair:\n%s", out)
	}
	if out := ok(t, dir, "status", "--db", "phone.db"); strings.Contains(out, "DIVERGED") {
		t.Errorf("status after the repair:\n%s", out)
	}
	sync("phone.db", "desktop.db", desktop)
	checkSameState(t, dir, "desktop.db", "phone.db")
}
