package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/capture-sync/capture/schema"
)

// shell runs SQL on dir/db with Debian's sqlite3 shell, a client that
// knows nothing of capture, with foreign keys on as the app has them, and
// returns its output.
func shell(t *testing.T, sqlite3, dir, db, sql string, readOnly bool) string {
	t.Helper()
	args := []string{"-bail", "-batch", "-cmd", ".timeout 5000"}
	if readOnly {
		args = append(args, "-readonly")
	}
	cmd := exec.Command(sqlite3, append(args, db, "PRAGMA foreign_keys = ON; "+sql)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3 %s: %v\n%s\nSQL:\n%s", db, err, out, sql)
	}
	return string(out)
}

// TestSyncThroughShell is the end-to-end check: two databases edited
// independently, by Debian's sqlite3 shell, converge after each exports
// a changeset for the other and applies the other's, going only through
// the binary (init, pair, export, apply). The shell compares the results.
func TestSyncThroughShell(t *testing.T) {
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("Debian's sqlite3 shell is not installed (apt-get install sqlite3; CI installs it): " +
			"the end-to-end sync test needs it to edit the databases")
	}
	dir := t.TempDir()
	var desktopInit, phoneInit initReport
	okJSON(t, dir, &desktopInit, "init", "--db", "desktop.db", "--profile", "desktop", "--json")
	okJSON(t, dir, &phoneInit, "init", "--db", "phone.db", "--profile", "mobile", "--json")
	desktop, phone := desktopInit.NodeID, phoneInit.NodeID
	ok(t, dir, "pair", "--db", "desktop.db", "--device", phone, "--name", "phone", "--token", "tok")
	ok(t, dir, "pair", "--db", "phone.db", "--device", desktop, "--name", "desktop", "--token", "tok")

	// exchange sends a changeset each way through files, the desktop's
	// first, and returns what each apply reported.
	exchange := func(snapshot bool) (toPhone, toDesktop applyReport) {
		t.Helper()
		args := []string{"export", "--db", "desktop.db", "--peer", phone, "--out", "to-phone.cs"}
		if snapshot {
			args = append(args, "--snapshot")
		}
		ok(t, dir, args...)
		okJSON(t, dir, &toPhone, "apply", "--db", "phone.db", "--json", "to-phone.cs")
		ok(t, dir, "export", "--db", "phone.db", "--peer", desktop, "--out", "to-desktop.cs")
		okJSON(t, dir, &toDesktop, "apply", "--db", "desktop.db", "--json", "to-desktop.cs")
		return toPhone, toDesktop
	}

	// Each device starts with data of its own.
	shell(t, sqlite3, dir, "desktop.db", `
		INSERT INTO tag_categories (id, name) VALUES ('mood', 'Mood');
		INSERT INTO tags (id, category_id, name) VALUES ('dark', 'mood', 'Dark'), ('warm', 'mood', 'Warm');
		INSERT INTO discovery_releases (id, url, artist, title, label, date_added, date_modified) VALUES
			('r1', 'https://a.bandcamp.com/album/one', 'Ann', 'One', 'L1', '2026-01-01', '2026-01-01'),
			('r2', 'https://b.bandcamp.com/album/two', 'Bo', 'Two', 'L2', '2026-01-02', '2026-01-02');
		INSERT INTO discovery_tracks (id, release_id, name, position) VALUES
			('r1-1', 'r1', 'Intro', 1), ('r1-2', 'r1', 'Outro', 2), ('r2-1', 'r2', 'Only', 1);
		INSERT INTO discovery_release_tags (release_id, tag_id) VALUES ('r1', 'dark'), ('r2', 'warm');
		INSERT INTO settings (key, value) VALUES ('theme', 'dark');
		INSERT INTO tracks (id, file_path, title, duration_ms, date_added, date_modified) VALUES ('lib1', '/music/a.flac', 'Lib', 1000, '2026-01-01', '2026-01-01');`, false)
	shell(t, sqlite3, dir, "phone.db", `
		INSERT INTO tag_categories (id, name) VALUES ('genre', 'Genre');
		INSERT INTO tags (id, category_id, name) VALUES ('house', 'genre', 'House');
		INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES
			('p1', 'https://soundcloud.com/p/sets/found', 'Found on the bus', '2026-01-03', '2026-01-03');`, false)
	toPhone, toDesktop := exchange(true)
	if toPhone.Won == 0 || !toPhone.Snapshot || toDesktop.Won == 0 {
		t.Fatalf("first exchange: to phone %+v, to desktop %+v", toPhone, toDesktop)
	}
	checkShellConverged(t, sqlite3, dir, phoneInit.Tables)

	// Apart, both edit the same rows: different fields, the same field,
	// a delete against an edit, a new row on each side.
	shell(t, sqlite3, dir, "desktop.db", `
		UPDATE discovery_releases SET label = 'Label One', title = 'One (desktop)' WHERE id = 'r1';
		UPDATE discovery_tracks SET name = 'Only (edit)' WHERE id = 'r2-1';
		UPDATE tags SET name = 'Darker' WHERE id = 'dark';
		INSERT INTO discovery_release_tags (release_id, tag_id) VALUES ('p1', 'warm');
		UPDATE settings SET value = 'light' WHERE key = 'theme';`, false)
	shell(t, sqlite3, dir, "phone.db", `
		UPDATE discovery_releases SET notes = 'phone notes', title = 'One (phone)' WHERE id = 'r1';
		DELETE FROM discovery_tracks WHERE id = 'r1-2';
		DELETE FROM discovery_release_tags WHERE release_id = 'r1' AND tag_id = 'dark';
		DELETE FROM discovery_releases WHERE id = 'r2';
		INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('p1-1', 'p1', 'Bus', 1);
		INSERT INTO settings (key, value) VALUES ('volume', '7');`, false)
	exchange(false)
	exchange(false) // acknowledgements; nothing new
	checkShellConverged(t, sqlite3, dir, phoneInit.Tables)

	// What each field ended as, read back by the shell on both sides.
	for _, db := range []string{"desktop.db", "phone.db"} {
		got := shell(t, sqlite3, dir, db, `SELECT label, notes FROM discovery_releases WHERE id = 'r1';
			SELECT count(*) FROM discovery_releases WHERE id = 'r2';
			SELECT group_concat(id) FROM (SELECT id FROM discovery_tracks ORDER BY id);
			SELECT value FROM settings WHERE key = 'volume';`, true)
		want := "Label One|phone notes\n0\np1-1,r1-1\n7\n"
		if got != want {
			t.Errorf("%s holds:\n%s\nwant:\n%s", db, got, want)
		}
	}
	// The desktop-only table stayed on the desktop.
	if got := shell(t, sqlite3, dir, "phone.db", `SELECT count(*) FROM sqlite_schema WHERE name = 'tracks'`, true); got != "0\n" {
		t.Errorf("the phone has a tracks table: %q", got)
	}
	// Nothing is pending either way.
	for _, db := range []string{"desktop.db", "phone.db"} {
		var devs []deviceJSON
		okJSON(t, dir, &devs, "devices", "--db", db, "--json")
		if len(devs) != 1 || devs[0].Pending != 0 {
			t.Errorf("%s: devices %+v", db, devs)
		}
	}
}

// checkShellConverged compares, with the sqlite3 shell, the synced tables
// (without the device-local settings) and the registers of the two
// databases; tables lists the tables, as init reports them.
func checkShellConverged(t *testing.T, sqlite3, dir string, tables []tableEntry) {
	t.Helper()
	var sql strings.Builder
	for _, te := range tables {
		if !te.Sync {
			continue
		}
		sql.WriteString(`SELECT '== ` + te.Name + `';`)
		q := `SELECT * FROM "` + te.Name + `"`
		if te.Name == "settings" {
			q += ` WHERE key NOT IN ('` + strings.Join(schema.DeviceLocalSettings, `', '`) + `')`
		}
		sql.WriteString(q + ` ORDER BY ` + strings.Join(te.Key, ", ") + ";\n")
	}
	sql.WriteString(`SELECT '== registers';
		SELECT entity_type, quote(entity_id), field_name, hlc, coalesce(origin, (SELECT node_id FROM sync_state)), tombstone
		FROM field_timestamps ORDER BY entity_type, entity_id, field_name;`)
	a := shell(t, sqlite3, dir, "desktop.db", sql.String(), true)
	b := shell(t, sqlite3, dir, "phone.db", sql.String(), true)
	if a != b {
		la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
		var only []string
		for _, l := range la {
			if !slices.Contains(lb, l) {
				only = append(only, "desktop only: "+l)
			}
		}
		for _, l := range lb {
			if !slices.Contains(la, l) {
				only = append(only, "phone only:   "+l)
			}
		}
		t.Fatalf("the databases differ:\n%s", strings.Join(only, "\n"))
	}
	if !strings.Contains(a, "== discovery_releases\n") || strings.Count(a, "\n") < 10 {
		t.Fatalf("the comparison saw too little:\n%s", a)
	}
}
