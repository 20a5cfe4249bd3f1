package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/capture-sync/capture/capture"
)

// TestApply runs a round trip between two databases through the binary:
// export on the desktop, apply on the phone (dry run, explained, again),
// and back.
func TestApply(t *testing.T) {
	dir, desktop, phone := pairedDevices(t)
	names := map[string]string{desktop: "desktop", phone: "phone"}
	editDB(t, dir, "desktop.db", releasesSQL)
	ok(t, dir, "export", "--db", "desktop.db", "--peer", phone, "--out", "a.cs")

	// A dry run decides and shows everything, and writes nothing.
	before := stateOf(t, dir, "phone.db")
	out := ok(t, dir, "apply", "--db", "phone.db", "--dry-run", "--explain", "a.cs")
	golden(t, "apply_dry_run", normaliseNodes(out, names))
	var rep applyReport
	okJSON(t, dir, &rep, "apply", "--db", "phone.db", "--dry-run", "--json", "a.cs")
	if !rep.DryRun || rep.Won != 6 || rep.Decisions != nil {
		t.Errorf("apply --dry-run --json: %+v", rep)
	}
	for _, d := range compareStates(before, stateOf(t, dir, "phone.db")) {
		if !d.same {
			t.Errorf("the dry run changed %s: %s", d.name, d.sample)
		}
	}
	var devs []deviceJSON
	okJSON(t, dir, &devs, "devices", "--db", "phone.db", "--json")
	if len(devs) != 1 || devs[0].ReceivedSeq != 0 {
		t.Errorf("the dry run moved the cursors: %+v", devs)
	}

	out = ok(t, dir, "apply", "--db", "phone.db", "a.cs")
	golden(t, "apply", normaliseNodes(out, names))
	checkSameState(t, dir, "desktop.db", "phone.db")

	// Applying it again changes nothing: every record loses to itself.
	okJSON(t, dir, &rep, "apply", "--db", "phone.db", "--explain", "--json", "a.cs")
	if rep.Origin != desktop || rep.UpToSeq != 6 || rep.Records != 6 || rep.Won != 0 || rep.Lost != 6 || len(rep.Decisions) != 6 {
		t.Fatalf("apply again --json: %+v", rep)
	}
	d := rep.Decisions[0]
	if d.Kind != "row" || d.Table != "tag_categories" || d.Entity != "c1" || d.Origin != desktop || d.Outcome != "lost" ||
		!strings.Contains(d.Why, "same") || d.HLCTime == "" || d.HLC == 0 {
		t.Errorf("decision %+v", d)
	}

	// The phone edits and sends back, through standard output and input.
	editDB(t, dir, "phone.db", `UPDATE discovery_releases SET notes = 'great' WHERE id = 'r1';
		DELETE FROM discovery_release_tags WHERE release_id = 'r1'`)
	r := ctl(t, dir, "export", "--db", "phone.db", "--peer", desktop)
	if r.code != 0 {
		t.Fatalf("export to stdout: exit %d\n%s", r.code, r.stderr)
	}
	cmd := exec.Command(binary, "apply", "--db", "desktop.db", "--json", "-")
	cmd.Dir, cmd.Stdin = dir, strings.NewReader(r.stdout)
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("apply -: %v", err)
	}
	if err := jsonUnmarshal(string(stdout), &rep); err != nil || rep.Origin != phone || rep.Won != 2 || rep.Lost != 0 {
		t.Errorf("apply - --json: %+v (%v)", rep, err)
	}
	checkSameState(t, dir, "desktop.db", "phone.db")

	// The desktop's next delta carries its acknowledgement: nothing is
	// pending either way after one more exchange.
	ok(t, dir, "export", "--db", "desktop.db", "--peer", phone, "--out", "b.cs")
	okJSON(t, dir, &rep, "apply", "--db", "phone.db", "--json", "b.cs")
	if rep.Records != 0 {
		t.Errorf("the desktop sent the phone's own changes back: %+v", rep)
	}
	okJSON(t, dir, &devs, "devices", "--db", "phone.db", "--json")
	if len(devs) != 1 || devs[0].Pending != 0 {
		t.Errorf("phone's devices after the exchange: %+v", devs)
	}
}

// TestApplyErrors checks that bad changesets are refused whole, with a
// hint and exit code 1, and leave the database as it was.
func TestApplyErrors(t *testing.T) {
	dir, desktop, phone := pairedDevices(t)
	editDB(t, dir, "desktop.db", releasesSQL)
	ok(t, dir, "export", "--db", "desktop.db", "--peer", phone, "--out", "good.cs")
	good, err := os.ReadFile(filepath.Join(dir, "good.cs"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	corrupt := append([]byte(nil), good...)
	corrupt[len(corrupt)/2] ^= 0x55
	write("corrupt.cs", corrupt)
	write("truncated.cs", good[:len(good)-10])
	write("empty.cs", nil)
	write("text.cs", []byte("hello, this is not a changeset\n"))

	// A third device the phone never paired sends it a changeset.
	other := initID(t, dir, "other.db", "mobile")
	ok(t, dir, "pair", "--db", "other.db", "--device", phone, "--token", "t")
	editDB(t, dir, "other.db", `INSERT INTO tag_categories (id, name) VALUES ('c9', 'Other')`)
	ok(t, dir, "export", "--db", "other.db", "--peer", phone, "--out", "unpaired.cs")

	// A desktop whose clock runs an hour ahead.
	ahead := int64(capture.HLCAt(time.Now().Add(time.Hour)))
	editDB(t, dir, "desktop.db", `UPDATE sync_state SET hlc = `+strconv.FormatInt(ahead, 10)+`;
		INSERT INTO tag_categories (id, name) VALUES ('c2', 'Future')`)
	ok(t, dir, "export", "--db", "desktop.db", "--peer", phone, "--out", "future.cs")

	before := stateOf(t, dir, "phone.db")
	tests := []struct {
		name string
		db   string
		file string
		want []string
	}{
		{"corrupt", "phone.db", "corrupt.cs", []string{"corrupt changeset", "hint: corrupt.cs is damaged or not a changeset"}},
		{"truncated", "phone.db", "truncated.cs", []string{"truncated changeset", "hint: truncated.cs ends early"}},
		{"empty", "phone.db", "empty.cs", []string{"truncated changeset"}},
		{"not a changeset", "phone.db", "text.cs", []string{"corrupt changeset"}},
		{"unpaired", "phone.db", "unpaired.cs", []string{"device is not paired",
			"hint: pair the device that wrote it first: capturectl pair --db phone.db --device " + other}},
		{"own", "desktop.db", "good.cs", []string{"comes from this device itself", "hint: this database wrote it"}},
		{"for another device", "desktop.db", "unpaired.cs", []string{"addressed to another device", "--peer " + desktop}},
		{"clock drift", "phone.db", "future.cs", []string{"remote clock too far ahead", "hint: one of the two devices' clocks is wrong"}},
		{"missing file", "phone.db", "missing.cs", []string{"changeset missing.cs does not exist",
			"hint: write one on the other device: capturectl export --db OTHER.db --peer " + phone + " --out missing.cs"}},
		{"directory", "phone.db", ".", []string{"is a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, extra := range [][]string{nil, {"--dry-run"}, {"--json", "--explain"}} {
				r := ctl(t, dir, append([]string{"apply", "--db", tt.db, tt.file}, extra...)...)
				if r.code != 1 || r.stdout != "" {
					t.Errorf("%v: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", extra, r.code, r.stdout, r.stderr)
				}
				for _, w := range tt.want {
					if !strings.Contains(r.stderr, w) {
						t.Errorf("%v: stderr lacks %q:\n%s", extra, w, r.stderr)
					}
				}
			}
		})
	}
	for _, d := range compareStates(before, stateOf(t, dir, "phone.db")) {
		if !d.same {
			t.Errorf("a refused changeset changed %s: %s", d.name, d.sample)
		}
	}

	// Standard input that holds nothing.
	cmd := exec.Command(binary, "apply", "--db", "phone.db", "-")
	cmd.Dir, cmd.Stdin = dir, strings.NewReader("")
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(string(out), "truncated changeset") {
		t.Errorf("apply of empty stdin: exit %d (%v)\n%s", code, err, out)
	}

	// Bad command lines.
	if r := ctl(t, dir, "apply", "--db", "phone.db"); r.code != 2 || !strings.Contains(r.stderr, "missing FILE") {
		t.Errorf("apply without FILE: exit %d\n%s", r.code, r.stderr)
	}
	if r := ctl(t, dir, "apply", "--db", "missing.db", "good.cs"); r.code != 1 || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("apply to a missing database: exit %d\n%s", r.code, r.stderr)
	}
}

// TestApplyPrintsMerges: two releases at one URL, made on the two devices,
// merge on apply; apply prints the merge (why, with --explain), and status
// counts it.
func TestApplyPrintsMerges(t *testing.T) {
	dir, desktop, phone := pairedDevices(t)
	editDB(t, dir, "desktop.db", `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('a', 'https://x/same', 'Desk', 'd', 'd')`)
	editDB(t, dir, "phone.db", `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('b', 'https://x/same', 'Phone', 'd', 'd')`)
	ok(t, dir, "export", "--db", "desktop.db", "--peer", phone, "--out", "a.cs")
	out := ok(t, dir, "apply", "--db", "phone.db", "--explain", "a.cs")
	if !strings.Contains(out, "merged discovery_releases b into a: both held its natural key") {
		t.Errorf("apply --explain:\n%s", out)
	}
	ok(t, dir, "export", "--db", "phone.db", "--peer", desktop, "--out", "b.cs")
	var rep applyReport
	okJSON(t, dir, &rep, "apply", "--db", "desktop.db", "--json", "b.cs")
	if len(rep.Merges) != 1 || rep.Merges[0].Entity != "b" || rep.Merges[0].Survivor != "a" || rep.Merges[0].Why != "a peer merged them" {
		t.Errorf("apply --json merges: %+v", rep.Merges)
	}
	var st statusReport
	okJSON(t, dir, &st, "status", "--db", "desktop.db", "--json")
	if st.Merged["discovery_releases"] != 1 {
		t.Errorf("status --json merged: %v", st.Merged)
	}
	checkSameState(t, dir, "desktop.db", "phone.db")
}
