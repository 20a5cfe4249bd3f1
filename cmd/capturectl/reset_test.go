package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// TestResetAfterRestore runs the restore of a backup through the binary:
// the desktop's file goes back to before three synced edits; the phone's
// next changeset is refused with the hint to reset, status shows the fork,
// and after capturectl reset the two sync back to one state, with the
// three edits.
func TestResetAfterRestore(t *testing.T) {
	dir, desktop, phone := pairedDevices(t)
	editDB(t, dir, "desktop.db", releasesSQL)
	sync := func(from, to, toID string) result {
		ok(t, dir, "export", "--db", from, "--peer", toID, "--out", "x.cs")
		return ctl(t, dir, "apply", "--db", to, "x.cs")
	}
	mustSync := func(from, to, toID string) {
		t.Helper()
		if r := sync(from, to, toID); r.code != 0 {
			t.Fatalf("apply on %s: exit %d\n%s", to, r.code, r.stderr)
		}
	}
	mustSync("desktop.db", "phone.db", phone)
	mustSync("phone.db", "desktop.db", desktop)
	editDB(t, dir, "desktop.db", `VACUUM INTO '`+filepath.Join(dir, "backup.db")+`'`)
	editDB(t, dir, "desktop.db", `UPDATE discovery_releases SET notes = 'one' WHERE id = 'r1'; INSERT INTO tag_categories (id, name) VALUES ('c2', 'two')`)
	editDB(t, dir, "phone.db", `UPDATE discovery_releases SET label = 'three' WHERE id = 'r1'`)
	mustSync("desktop.db", "phone.db", phone)
	mustSync("phone.db", "desktop.db", desktop)
	mustSync("desktop.db", "phone.db", phone)

	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(filepath.Join(dir, "desktop.db"+suffix))
	}
	data, err := os.ReadFile(filepath.Join(dir, "backup.db")) // the restore
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "desktop.db"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := sync("phone.db", "desktop.db", desktop)
	if r.code != exitFailure || !strings.Contains(r.stderr, "restored from a backup or copied") || !strings.Contains(r.stderr, "capturectl reset --db desktop.db") {
		t.Fatalf("apply on the restored desktop: exit %d\n%s", r.code, r.stderr)
	}
	if out := ok(t, dir, "status", "--db", "desktop.db"); !strings.Contains(out, "FORKED:") || !strings.Contains(out, "--new-device") {
		t.Errorf("status of the restored desktop:\n%s", out)
	}
	out := ok(t, dir, "reset", "--db", "desktop.db")
	if !strings.Contains(out, "node id "+desktop+" is now ") {
		t.Fatalf("reset:\n%s", out)
	}
	id := nodeOf(t, filepath.Join(dir, "desktop.db"))
	mustSync("desktop.db", "phone.db", phone)
	mustSync("phone.db", "desktop.db", id)
	mustSync("desktop.db", "phone.db", phone)
	checkSameState(t, dir, "desktop.db", "phone.db")
	conn, err := sqlite3.OpenFlags(filepath.Join(dir, "desktop.db"), sqlite3.OPEN_READONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var got string
	if err := queryRow(conn, `SELECT notes || '/' || label || '/' || (SELECT name FROM tag_categories WHERE id = 'c2') FROM discovery_releases WHERE id = 'r1'`,
		func(s *sqlite3.Stmt) { got = s.ColumnText(0) }); err != nil || got != "one/three/two" {
		t.Errorf("the three edits on the desktop: %q, %v", got, err)
	}
	out = ok(t, dir, "status", "--db", "desktop.db")
	if strings.Contains(out, "FORKED") || !regexp.MustCompile(`former ids +`+desktop).MatchString(out) {
		t.Errorf("status after the reset:\n%s", out)
	}
}

// TestResetStartOver: reset asks for --yes before it clears anything,
// refuses while the desktop lacks the phone's changes, and with
// --discard-pending clears the synced data and keeps the pairing.
func TestResetStartOver(t *testing.T) {
	dir, desktop, _ := pairedDevices(t)
	editDB(t, dir, "phone.db", `INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood')`)
	if r := ctl(t, dir, "reset", "--db", "phone.db"); r.code != exitUsage || !strings.Contains(r.stderr, "--yes") {
		t.Fatalf("reset without --yes: exit %d\n%s", r.code, r.stderr)
	}
	r := ctl(t, dir, "reset", "--db", "phone.db", "--yes")
	if r.code != exitFailure || !strings.Contains(r.stderr, "1 changes made here would be lost") || !strings.Contains(r.stderr, "--discard-pending") {
		t.Fatalf("reset with a change the desktop lacks: exit %d\n%s", r.code, r.stderr)
	}
	out := ok(t, dir, "reset", "--db", "phone.db", "--yes", "--discard-pending")
	if !strings.Contains(out, "cleared the synced data") {
		t.Errorf("reset --yes --discard-pending:\n%s", out)
	}
	var st statusReport
	okJSON(t, dir, &st, "status", "--db", "phone.db", "--json")
	if len(st.Devices) != 1 || st.Devices[0].ID != desktop {
		t.Errorf("after starting over the phone is paired with %+v, want the desktop %s", st.Devices, desktop)
	}
	conn, err := sqlite3.OpenFlags(filepath.Join(dir, "phone.db"), sqlite3.OPEN_READONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int64
	if err := queryRow(conn, `SELECT (SELECT count(*) FROM tag_categories) + (SELECT count(*) FROM local_changes)`,
		func(s *sqlite3.Stmt) { n = s.ColumnInt64(0) }); err != nil || n != 0 {
		t.Errorf("after starting over the phone holds %d categories and changes (%v)", n, err)
	}
}

// TestResetHelpShowsEveryForm: reset -h shows every form of the command,
// among them the plain one that the hint for a forked database says to
// run.
func TestResetHelpShowsEveryForm(t *testing.T) {
	out := ok(t, t.TempDir(), "reset", "-h")
	forms := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^(?:Usage:| {6}) capturectl reset (.*)$`).FindAllStringSubmatch(out, -1) {
		forms[strings.TrimSuffix(m[1], " [--json]")] = true
	}
	for _, want := range []string{"--db PATH", "--db PATH --new-device", "--db PATH --yes [--discard-pending]"} {
		if !forms[want] {
			t.Errorf("reset -h does not show the form reset %s:\n%s", want, out)
		}
	}
	hinted := regexp.MustCompile(`capturectl reset (--db DB(?: --[a-z-]+)*)`).FindAllStringSubmatch(forkHint("DB"), -1)
	if len(hinted) != 2 {
		t.Fatalf("the hint for a forked database names %d reset commands, want 2: %s", len(hinted), forkHint("DB"))
	}
	for _, m := range hinted {
		if form := strings.Replace(m[1], "--db DB", "--db PATH", 1); !forms[form] {
			t.Errorf("the hint for a forked database says to run reset %s, which reset -h does not show:\n%s", form, out)
		}
	}
}
