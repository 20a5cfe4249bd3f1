package capture

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// edits is one session of edits to the app's tables, as a user or another
// program would make them.
const edits = appFixture + `
INSERT INTO discovery_releases (id, url, artist, date_added, date_modified) VALUES ('r2', 'u2', 'Someone', 'd', 'd');
UPDATE discovery_releases SET notes = 'great', label = 'L', artist = 'Someone' WHERE id = 'r2';
UPDATE discovery_releases SET title = 'X' WHERE id = 'r1';
INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t1', 'r2', 'One', 1);
UPDATE discovery_tracks SET is_liked = 1 WHERE id = 't1';
INSERT INTO discovery_release_tags VALUES ('r2', 'g1');
INSERT INTO settings VALUES ('theme', 'dark'), ('window_state', 'max');
UPDATE settings SET value = 'light';
DELETE FROM discovery_releases WHERE id = 'r2';
INSERT OR IGNORE INTO tags (id, category_id, name) VALUES ('g1', 'c1', 'Dark'), ('g2', 'c1', 'Warm');
UPDATE OR FAIL discovery_releases SET notes = 'under FAIL' WHERE id = 'r1';
INSERT OR REPLACE INTO settings VALUES ('theme', 'blue');
UPDATE OR IGNORE tag_categories SET name = 'Feel' WHERE id = 'c1';
INSERT INTO discovery_stream_cache VALUES ('r1', 1, 's', 'e', NULL);
`

// TestRolledBackTransactionLeavesNoTrace: the capture rows live and die
// with the edit's transaction.
func TestRolledBackTransactionLeavesNoTrace(t *testing.T) {
	e, _ := openEngine(t, schema.Mobile)
	c := e.Conn()
	before := logRows(t, c) + registerRows(t, c)
	sqlitetest.Exec(t, c, "BEGIN;"+edits+"ROLLBACK;")
	if after := logRows(t, c) + registerRows(t, c); after != before {
		t.Errorf("rolled-back edits left:\n%s", after)
	}
	// A failing statement inside a transaction takes its capture with it.
	sqlitetest.Exec(t, c, appFixture)
	n := sqlitetest.Int(t, c, `SELECT count(*) FROM local_changes`)
	if err := c.Exec(`INSERT INTO tags (id, category_id, name) VALUES ('g2', 'c1', 'Dark')`); err == nil {
		t.Fatal("duplicate (category, name) accepted")
	}
	if m := sqlitetest.Int(t, c, `SELECT count(*) FROM local_changes`); m != n {
		t.Errorf("a failed insert logged %d changes", m-n)
	}
}

// TestOtherClientsAreCapturedIdentically: the engine's own connection, a
// second connection that registers nothing, and Debian's sqlite3 shell all
// produce the same change log and registers.
func TestOtherClientsAreCapturedIdentically(t *testing.T) {
	e, _ := openEngine(t, schema.Mobile)
	sqlitetest.Exec(t, e.Conn(), edits)
	want := logRows(t, e.Conn()) + "\n--\n" + registerRows(t, e.Conn())
	if !strings.Contains(want, `"settings" | "theme"`) || strings.Contains(want, "window_state") || strings.Contains(want, "stream_cache") {
		t.Fatalf("device-local data captured, or settings not:\n%s", want)
	}

	t.Run("plain connection", func(t *testing.T) {
		_, path := openEngine(t, schema.Mobile)
		other := sqlitetest.OpenPath(t, path)
		sqlitetest.Exec(t, other, edits)
		if got := logRows(t, other) + "\n--\n" + registerRows(t, other); got != want {
			t.Errorf("second connection captured:\n%s\nwant:\n%s", got, want)
		}
	})
	t.Run("sqlite3 shell", func(t *testing.T) {
		shell, err := exec.LookPath("sqlite3")
		if err != nil {
			t.Skip("Debian's sqlite3 shell is not installed (apt-get install sqlite3; CI installs it)")
		}
		e2, path := openEngine(t, schema.Mobile)
		cmd := exec.Command(shell, "-bail", path)
		cmd.Stdin = strings.NewReader("PRAGMA foreign_keys = ON;\n" + edits)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sqlite3: %v\n%s", err, out)
		}
		if got := logRows(t, e2.Conn()) + "\n--\n" + registerRows(t, e2.Conn()); got != want {
			t.Errorf("sqlite3 shell captured:\n%s\nwant:\n%s", got, want)
		}
	})
	t.Run("SQLite 3.22", func(t *testing.T) {
		// Both profiles' schemas must parse there; the desktop has more.
		for _, p := range []schema.Profile{schema.Mobile, schema.Desktop} {
			want := want
			if p != schema.Mobile {
				ref, _ := openEngine(t, p)
				sqlitetest.Exec(t, ref.Conn(), edits)
				want = logRows(t, ref.Conn()) + "\n--\n" + registerRows(t, ref.Conn())
			}
			e3, path := openEngine(t, p)
			e3.Close()
			if v := editWithSQLJS(t, path, "PRAGMA foreign_keys = ON;\n"+edits); v != "3.22.0" {
				t.Errorf("sql.js ran SQLite %s, want 3.22.0", v)
			}
			c := sqlitetest.OpenPath(t, path)
			if got := logRows(t, c) + "\n--\n" + registerRows(t, c); got != want {
				t.Errorf("%s: SQLite 3.22 captured:\n%s\nwant:\n%s", p, got, want)
			}
		}
	})
}

// sqljs returns the directory of the sql.js module that CAPTURE_SQLJS
// names (.ci/run installs sql.js 0.5.0, SQLite 3.22), and node; it skips
// the test without them, or fails if CAPTURE_REQUIRE_CLIENTS is set.
func sqljs(t *testing.T) (node, module string) {
	t.Helper()
	module = os.Getenv("CAPTURE_SQLJS")
	node, err := exec.LookPath("node")
	if module == "" || err != nil {
		msg := "an old SQLite needs node and CAPTURE_SQLJS=<dir of the sql.js 0.5.0 module> (npm install sql.js@0.5.0; .ci/run does it)"
		if os.Getenv("CAPTURE_REQUIRE_CLIENTS") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node, module
}

// editWithSQLJS runs sql on the database at path through sql.js: the
// database leaves WAL mode first (sql.js has no shared memory) and comes
// back to it after. It returns the SQLite version that ran it.
func editWithSQLJS(t *testing.T, path, sql string) string {
	t.Helper()
	node, module := sqljs(t)
	c := sqlitetest.OpenPath(t, path)
	sqlitetest.Exec(t, c, `PRAGMA journal_mode = DELETE`)
	c.Close()
	script := filepath.Join(t.TempDir(), "edits.sql")
	if err := os.WriteFile(script, []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "sqljs_edit.js"), module, path, script)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sql.js: %v\n%s%s", err, out, stderr.String())
	}
	c = sqlitetest.OpenPath(t, path)
	sqlitetest.Exec(t, c, `PRAGMA journal_mode = WAL`)
	version, _, _ := strings.Cut(string(out), "\n")
	return version
}
