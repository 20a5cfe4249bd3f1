package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// binary is the capturectl built once for all tests.
var binary string

// envBinary hands the capturectl that TestMain built to the test binary
// that netnstest runs again inside a network namespace, so that it builds
// none.
const envBinary = "CAPTURECTL_TEST_BINARY"

func TestMain(m *testing.M) {
	flag.Parse()
	if b := os.Getenv(envBinary); b != "" {
		binary = b
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "capturectl-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "capturectl")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary gave.
type result struct {
	stdout, stderr string
	code           int
}

// ctl runs capturectl with args in dir, so that databases can be named
// relative to it and the paths in the output do not vary.
func ctl(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("run capturectl %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// ok runs capturectl and fails the test unless it succeeds.
func ok(t *testing.T, dir string, args ...string) string {
	t.Helper()
	r := ctl(t, dir, args...)
	if r.code != 0 {
		t.Fatalf("capturectl %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// okJSON runs capturectl and decodes its standard output into v.
func okJSON(t *testing.T, dir string, v any, args ...string) {
	t.Helper()
	out := ok(t, dir, args...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("capturectl %s: decode JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// newDB creates app.db for profile p with init in a new temporary directory
// and returns the directory.
func newDB(t *testing.T, p string) string {
	t.Helper()
	dir := t.TempDir()
	ok(t, dir, "init", "--db", "app.db", "--profile", p)
	return dir
}

// edit runs sql on dir/app.db over a connection of its own, as the app
// would; the triggers capture it.
func edit(t *testing.T, dir, sql string) {
	t.Helper()
	conn, err := sqlite3.Open(filepath.Join(dir, "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Exec(`PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; ` + sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// fixture is a series of edits whose change log the golden files show:
// seq 1-4 inserts, 5-7 updates (6 and 7 from one statement, one text with a
// line break), 8 a setting (the device-local one is not captured), 9 the
// insert of tag g2 and 10-14 its delete (four fields, then the row).
const fixture = `
INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood');
INSERT INTO tags (id, category_id, name) VALUES ('g1', 'c1', 'Dark');
INSERT INTO discovery_releases (id, url, date_added, date_modified) VALUES ('r1', 'https://x.bandcamp.com/album/a', '2024-01-01', '2024-01-01');
INSERT INTO discovery_release_tags (release_id, tag_id) VALUES ('r1', 'g1');
UPDATE discovery_releases SET artist = 'Ann' WHERE id = 'r1';
UPDATE discovery_releases SET artist = 'Anna', notes = 'two' || char(10) || 'lines' WHERE id = 'r1';
INSERT INTO settings (key, value) VALUES ('theme', 'dark'), ('window_state', 'max');
INSERT INTO tags (id, category_id, name, sort_order) VALUES ('g2', 'c1', 'Light', 2);
DELETE FROM tags WHERE id = 'g2';
`

// fixtureDB is newDB with the fixture's edits made.
func fixtureDB(t *testing.T, p string) string {
	t.Helper()
	dir := newDB(t, p)
	edit(t, dir, fixture)
	return dir
}

// node returns the node id and the fingerprint of dir/app.db.
func node(t *testing.T, dir string) (id, fingerprint string) {
	t.Helper()
	conn, err := sqlite3.OpenFlags(filepath.Join(dir, "app.db"), sqlite3.OPEN_READONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stmt, _, err := conn.Prepare(`SELECT node_id, spec_fingerprint FROM sync_state`)
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	if !stmt.Step() {
		t.Fatalf("no sync_state: %v", stmt.Err())
	}
	return stmt.ColumnText(0), stmt.ColumnText(1)
}

var (
	reHLC    = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\+\d{4,5}`)
	reRawHLC = regexp.MustCompile(`\b\d{17,19}\b`)
	reTime   = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
)

// normalise replaces what varies between runs by placeholders of the same
// length, so the tables stay aligned: this node's id, the fingerprint,
// stamps and times.
func normalise(t *testing.T, dir, s string) string {
	t.Helper()
	id, fp := node(t, dir)
	same := func(word string) func(string) string {
		return func(m string) string { return (word + strings.Repeat("~", len(m)))[:len(m)] }
	}
	s = strings.ReplaceAll(s, id, same("<node-id>")(id))
	if fp != "" {
		s = strings.ReplaceAll(s, fp, same("<fingerprint>")(fp))
	}
	s = reHLC.ReplaceAllStringFunc(s, same("<hlc>"))
	s = reRawHLC.ReplaceAllStringFunc(s, same("<raw-hlc>"))
	return reTime.ReplaceAllStringFunc(s, same("<time>"))
}

// golden compares got with testdata/name.golden, or rewrites the file with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestHelp checks that every command explains itself with an example.
func TestHelp(t *testing.T) {
	dir := t.TempDir()
	for name := range commands {
		for _, flag := range []string{"-h", "--help"} {
			r := ctl(t, dir, name, flag)
			// Every command but demo, which makes its own, and discover,
			// which needs none, works on a --db.
			if r.code != 0 || !strings.Contains(r.stdout, "Usage: capturectl "+name) ||
				!strings.Contains(r.stdout, "Example:\n  capturectl "+name) ||
				strings.Contains(r.stdout, "--db PATH") == (name == "demo" || name == "discover") {
				t.Errorf("%s %s: exit %d\n%s%s", name, flag, r.code, r.stdout, r.stderr)
			}
		}
	}
	if r := ctl(t, dir, "help", "changes"); r.code != 0 || !strings.Contains(r.stdout, "--since TIME") {
		t.Errorf("help changes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := ctl(t, dir, "help")
	for name := range commands {
		if !strings.Contains(r.stdout, "\n  "+name+" ") {
			t.Errorf("help does not list %s:\n%s", name, r.stdout)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("help created files: %v", entries)
	}
}

// jsonUnmarshal decodes s into v.
func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
