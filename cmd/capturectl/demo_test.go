package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// nodeOf returns the node id of the database at path.
func nodeOf(t *testing.T, path string) string {
	t.Helper()
	conn, err := sqlite3.OpenFlags(path, sqlite3.OPEN_READONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var id string
	if err := queryRow(conn, `SELECT node_id FROM sync_state`, func(s *sqlite3.Stmt) { id = s.ColumnText(0) }); err != nil {
		t.Fatalf("node id of %s: %v", path, err)
	}
	return id
}

// TestDemo runs the demo: it exits 0, says the devices converged, and its
// output, stamps and ids aside, is the golden one.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	r := ctl(t, dir, "demo", "--dir", "run")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("demo: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "\nconverged: yes,") {
		t.Errorf("demo does not say it converged:\n%s", r.stdout)
	}
	names := map[string]string{
		nodeOf(t, filepath.Join(dir, "run", "desktop.db")): "desktop",
		nodeOf(t, filepath.Join(dir, "run", "phone.db")):   "phone",
	}
	golden(t, "demo", normaliseNodes(normaliseNetwork(r.stdout), names))

	// The databases it leaves are ordinary ones the other commands read.
	out := ok(t, dir, "fields", "--db", filepath.Join("run", "phone.db"), "discovery_releases", "r1")
	if !strings.Contains(out, "'City Lights EP (Remastered)'") || !strings.Contains(out, "'Play after midnight'") {
		t.Errorf("fields of r1 on the phone:\n%s", out)
	}

	// It starts from new databases only.
	r = ctl(t, dir, "demo", "--dir", "run")
	if r.code != 1 || !strings.Contains(r.stderr, "exists already") || !strings.Contains(r.stderr, "hint: ") {
		t.Errorf("demo in a used directory: exit %d\n%s", r.code, r.stderr)
	}
	if r := ctl(t, dir, "demo", "extra"); r.code != 2 {
		t.Errorf("demo extra: exit %d\n%s", r.code, r.stderr)
	}
}

// TestDemoTempDir checks that without --dir the demo works in a new
// temporary directory, which it names.
func TestDemoTempDir(t *testing.T) {
	tmp := t.TempDir()
	cmd := exec.Command(binary, "demo")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("demo: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	m := regexp.MustCompile(`working in (\S+) `).FindStringSubmatch(stdout.String())
	if m == nil || filepath.Dir(m[1]) != tmp {
		t.Fatalf("demo names no directory under %s:\n%s", tmp, stdout.String())
	}
	for _, name := range []string{"desktop.db", "phone.db"} {
		if _, err := os.Stat(filepath.Join(m[1], name)); err != nil {
			t.Error(err)
		}
	}
}

var (
	rePort  = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	reCode  = regexp.MustCompile(`pairing code \d{6}`)
	reBytes = regexp.MustCompile(`\d+ bytes, zstd`)
)

// normaliseNetwork replaces what a run over the network makes different
// each time: the port, the pairing code, the compressed sizes (keeping
// their width, for the tables' alignment).
func normaliseNetwork(s string) string {
	s = rePort.ReplaceAllString(s, "127.0.0.1:<port>")
	s = reCode.ReplaceAllString(s, "pairing code <code>")
	return reBytes.ReplaceAllStringFunc(s, func(m string) string {
		n := len(m) - len(" bytes, zstd")
		return strings.Repeat("~", n-1) + "n bytes, zstd"
	})
}
