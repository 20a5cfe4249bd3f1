package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
)

// initID creates dir/db for profile with init and returns its node id.
func initID(t *testing.T, dir, db, profile string) string {
	t.Helper()
	var rep initReport
	okJSON(t, dir, &rep, "init", "--db", db, "--profile", profile, "--json")
	return rep.NodeID
}

// pairedDevices creates desktop.db and phone.db in a new directory and
// pairs them both ways, all with the binary. It returns the directory and
// the two node ids.
func pairedDevices(t *testing.T) (dir, desktop, phone string) {
	t.Helper()
	dir = t.TempDir()
	desktop = initID(t, dir, "desktop.db", "desktop")
	phone = initID(t, dir, "phone.db", "mobile")
	ok(t, dir, "pair", "--db", "desktop.db", "--device", phone, "--name", "phone", "--token", "s3cret")
	ok(t, dir, "pair", "--db", "phone.db", "--device", desktop, "--name", "desktop", "--token", "s3cret")
	return dir, desktop, phone
}

// editDB runs sql on dir/db over a connection of its own, as the app
// would.
func editDB(t *testing.T, dir, db, sql string) {
	t.Helper()
	conn, err := sqlite3.Open(filepath.Join(dir, db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Exec(`PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; ` + sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// stateOf reads the sync state of dir/db (synced tables and registers)
// over a read-only engine.
func stateOf(t *testing.T, dir, db string) syncState {
	t.Helper()
	path := filepath.Join(dir, db)
	p, err := readProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := capture.Open(context.Background(), path, capture.Options{Profile: p, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	st, err := readState(eng)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// checkSameState fails the test unless two databases hold the same synced
// rows and registers.
func checkSameState(t *testing.T, dir, a, b string) {
	t.Helper()
	for _, d := range compareStates(stateOf(t, dir, a), stateOf(t, dir, b)) {
		if !d.same {
			t.Errorf("%s differs between %s (%d) and %s (%d): %s", d.name, a, d.a, b, d.b, d.sample)
		}
	}
}

// normaliseNodes replaces node ids by names padded to the same length,
// and stamps and times as normalise does, so tables stay aligned.
func normaliseNodes(s string, names map[string]string) string {
	same := func(word string) func(string) string {
		return func(m string) string { return (word + strings.Repeat("~", len(m)))[:len(m)] }
	}
	for id, name := range names {
		s = strings.ReplaceAll(s, id, same("<"+name+">")(id))
	}
	s = reHLC.ReplaceAllStringFunc(s, same("<hlc>"))
	s = reRawHLC.ReplaceAllStringFunc(s, same("<raw-hlc>"))
	return reTime.ReplaceAllStringFunc(s, same("<time>"))
}

// releases is the desktop's data in the export and apply tests.
const releasesSQL = `
INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood');
INSERT INTO tags (id, category_id, name) VALUES ('g1', 'c1', 'Dark');
INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'https://x.bandcamp.com/album/a', 'A', '2026-01-01', '2026-01-01');
INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t1', 'r1', 'One', 1);
INSERT INTO discovery_release_tags (release_id, tag_id) VALUES ('r1', 'g1');
UPDATE discovery_releases SET artist = 'Ann' WHERE id = 'r1';
`

// TestExport checks export's output, summary and flags.
func TestExport(t *testing.T) {
	dir, desktop, phone := pairedDevices(t)
	editDB(t, dir, "desktop.db", releasesSQL)

	r := ctl(t, dir, "export", "--db", "desktop.db", "--peer", phone, "--out", "a.cs")
	want := "exported delta (after seq 0) for " + phone + ": 6 records (5 rows, 1 field), up to seq 6, "
	if r.code != 0 || r.stdout != "" || !strings.HasPrefix(r.stderr, want) || !strings.HasSuffix(r.stderr, " bytes to a.cs\n") {
		t.Fatalf("export: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	fileBytes, err := os.ReadFile(filepath.Join(dir, "a.cs"))
	if err != nil {
		t.Fatal(err)
	}
	cr, err := changeset.NewReader(strings.NewReader(string(fileBytes)))
	if err != nil {
		t.Fatal(err)
	}
	if h := cr.Header(); h.Origin != desktop || h.To != phone || h.Snapshot || h.UpToSeq != 6 {
		t.Errorf("header %+v", h)
	}

	// To standard output (the default, and "-"): the same changeset, the
	// summary on stderr.
	for _, args := range [][]string{{}, {"--out", "-"}} {
		r = ctl(t, dir, append([]string{"export", "--db", "desktop.db", "--peer", phone}, args...)...)
		if r.code != 0 || !strings.Contains(r.stderr, "bytes to standard output") || len(r.stdout) != len(fileBytes) {
			t.Errorf("export %v: exit %d, %d bytes on stdout (file: %d)\n%s", args, r.code, len(r.stdout), len(fileBytes), r.stderr)
		}
	}

	// --json: on stdout with --out FILE, on stderr when stdout holds the
	// changeset.
	var rep exportReport
	okJSON(t, dir, &rep, "export", "--db", "desktop.db", "--peer", phone, "--snapshot", "--out", "snap.cs", "--json")
	if rep.Peer != phone || !rep.Snapshot || rep.Out != "snap.cs" || rep.Records != 6 || rep.Rows != 5 || rep.Fields != 1 ||
		rep.UpToSeq != 6 || rep.AfterSeq != 0 || rep.Bytes == 0 {
		t.Errorf("export --json: %+v", rep)
	}
	r = ctl(t, dir, "export", "--db", "desktop.db", "--peer", phone, "--json")
	if r.code != 0 || jsonUnmarshal(r.stderr, &rep) != nil || rep.Out != "-" || rep.Records != 6 {
		t.Errorf("export --json to stdout: exit %d, stderr:\n%s", r.code, r.stderr)
	}

	// No temporary files are left behind.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "desktop.db") && !strings.HasPrefix(e.Name(), "phone.db") {
			names = append(names, e.Name())
		}
	}
	if !slices.Equal(names, []string{"a.cs", "snap.cs"}) {
		t.Errorf("files: %v", names)
	}
}

// TestExportErrors checks export's refusals.
func TestExportErrors(t *testing.T) {
	dir, desktop, _ := pairedDevices(t)
	stranger, paired := "0123456789abcdef", "fedcba9876543210"
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"missing peer", []string{"--db", "desktop.db"}, 2, []string{"--peer is required", "hint: capturectl devices --db desktop.db"}},
		{"bad peer", []string{"--db", "desktop.db", "--peer", "phone"}, 2, []string{`--peer "phone" is not a node id`}},
		{"unpaired peer", []string{"--db", "desktop.db", "--peer", stranger}, 1, []string{"device is not paired",
			"hint: pair it first: capturectl pair --db desktop.db --device " + stranger}},
		{"own id", []string{"--db", "desktop.db", "--peer", desktop}, 1, []string{"own", "hint:"}},
		{"missing db", []string{"--db", "missing.db", "--peer", stranger}, 1, []string{"does not exist"}},
		{"extra argument", []string{"--db", "desktop.db", "--peer", stranger, "out.cs"}, 2, []string{`unexpected argument "out.cs"`}},
		{"out in a missing directory", []string{"--db", "desktop.db", "--peer", paired, "--out", filepath.Join("nope", "a.cs")}, 1,
			[]string{"create nope/a.cs"}},
	}
	ok(t, dir, "pair", "--db", "desktop.db", "--device", paired, "--token", "t")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ctl(t, dir, append([]string{"export"}, tt.args...)...)
			if r.code != tt.code || r.stdout != "" {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}
