package main

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// TestErrors checks the exit code and the message of bad command lines and
// of commands that cannot do their job.
func TestErrors(t *testing.T) {
	dir := fixtureDB(t, "mobile")
	edit(t, dir, `INSERT INTO tag_categories (id, name) VALUES ('c9', 'X')`)
	if err := os.WriteFile(filepath.Join(dir, "empty.db"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missingHint := "hint: create it with capturectl init --db missing.db --profile mobile"
	tests := []struct {
		name string
		args []string
		code int
		want []string // substrings of stderr
	}{
		// The database is missing: every command but init refuses.
		{"status missing", []string{"status", "--db", "missing.db"}, 1, []string{"database missing.db does not exist", missingHint}},
		{"changes missing", []string{"changes", "--db", "missing.db"}, 1, []string{missingHint}},
		{"fields missing", []string{"fields", "--db", "missing.db", "tags", "g1"}, 1, []string{missingHint}},
		{"triggers missing", []string{"triggers", "--db", "missing.db", "--check"}, 1, []string{missingHint}},
		{"devices missing", []string{"devices", "--db", "missing.db"}, 1, []string{missingHint}},
		{"pair missing", []string{"pair", "--db", "missing.db", "--device", phone, "--token", "t"}, 1, []string{missingHint}},
		{"unpair missing", []string{"unpair", "--db", "missing.db", "--device", phone}, 1, []string{missingHint}},
		{"prune missing", []string{"prune", "--db", "missing.db"}, 1, []string{missingHint}},
		{"undo missing", []string{"undo", "--db", "missing.db", "1"}, 1, []string{missingHint}},
		{"directory", []string{"status", "--db", "."}, 1, []string{"is a directory"}},
		{"not initialized", []string{"changes", "--db", "empty.db"}, 1, []string{"not initialized",
			"hint: initialize it with capturectl init --db empty.db --profile mobile (or desktop)"}},

		// The database belongs to the other profile.
		{"wrong profile", []string{"init", "--db", "app.db", "--profile", "desktop"}, 1, []string{
			"database belongs to another profile", "hint: app.db is a mobile database: run capturectl init --db app.db --profile mobile"}},
		{"unknown profile", []string{"init", "--db", "new.db", "--profile", "tablet"}, 2, []string{"unknown profile", "hint: --profile is desktop or mobile"}},

		// Entities and tables that are not there.
		{"unknown entity", []string{"fields", "--db", "app.db", "tags", "nope"}, 1, []string{"no such entity",
			"hint: the ids of tags are its id values; capturectl changes --db app.db --table tags shows the ids in use"}},
		{"malformed composite id", []string{"fields", "--db", "app.db", "discovery_release_tags", "r1"}, 1, []string{"malformed entity id",
			`hint: the ids of discovery_release_tags are composite (release_id, tag_id): each key value as an SQL literal, joined by commas, e.g. "'r1','g1'"`}},
		{"unknown composite id", []string{"fields", "--db", "app.db", "discovery_release_tags", "'r1','g9'"}, 1, []string{"no such entity"}},
		{"unknown table", []string{"fields", "--db", "app.db", "tracks", "t1"}, 1, []string{`table "tracks": table does not sync`, "hint: the synced tables are "}},
		{"unknown trigger table", []string{"triggers", "--db", "app.db", "--table", "nope"}, 1, []string{"table does not sync", "hint: the synced tables are "}},

		// Bad command lines: exit code 2.
		{"no command", nil, 2, []string{"Commands:"}},
		{"unknown command", []string{"frobnicate"}, 2, []string{`unknown command "frobnicate"`, "hint: run 'capturectl help'"}},
		{"help unknown", []string{"help", "frobnicate"}, 2, []string{`unknown command "frobnicate"`}},
		{"unknown flag", []string{"status", "--db", "app.db", "--bogus"}, 2, []string{"flag provided but not defined: -bogus", "Usage: capturectl status"}},
		{"unknown global flag", []string{"--bogus", "status"}, 2, []string{"flag provided but not defined: -bogus"}},
		{"missing db", []string{"status"}, 2, []string{"--db is required", "hint: run capturectl status -h"}},
		{"missing db init", []string{"init", "--profile", "mobile"}, 2, []string{"--db is required"}},
		{"missing args", []string{"fields", "--db", "app.db", "tags"}, 2, []string{"missing ID"}},
		{"extra args", []string{"status", "--db", "app.db", "extra"}, 2, []string{`unexpected argument "extra"`}},
		{"bad since", []string{"changes", "--db", "app.db", "--since", "yesterday"}, 2, []string{`invalid value "yesterday" for flag -since`, "RFC 3339"}},
		{"bad limit", []string{"changes", "--db", "app.db", "--limit", "-1"}, 2, []string{"must not be negative"}},
		{"bad limit type", []string{"changes", "--db", "app.db", "--limit", "many"}, 2, []string{`invalid value "many" for flag -limit`}},
		{"bad seq", []string{"undo", "--db", "app.db", "first"}, 2, []string{`SEQ "first" is not a sequence number`}},
		{"bad device", []string{"pair", "--db", "app.db", "--device", "phone", "--token", "t"}, 2, []string{`--device "phone" is not a node id`}},
		{"missing device", []string{"unpair", "--db", "app.db"}, 2, []string{"--device is required"}},
		{"missing token", []string{"pair", "--db", "app.db", "--device", phone}, 2, []string{"--token is required"}},
		{"check with table", []string{"triggers", "--db", "app.db", "--check", "--table", "tags"}, 2, []string{"do not go together"}},
		{"bad log level", []string{"status", "--db", "app.db", "--log-level", "loud"}, 2, []string{`--log-level "loud": not a log level`}},
		{"bad global log level", []string{"--log-level", "loud", "status", "--db", "app.db"}, 2, []string{"not a log level"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ctl(t, dir, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if r.code != 0 && strings.Contains(r.stdout, "capturectl "+strings.Join(tt.args, " ")) {
				t.Errorf("error on stdout:\n%s", r.stdout)
			}
		})
	}
	for _, name := range []string{"missing.db", "new.db"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s was created", name)
		}
	}
}

// TestReadOnlyCommands checks that the commands that only report leave the
// database file as it was, and work while another connection holds a
// write transaction.
func TestReadOnlyCommands(t *testing.T) {
	dir := fixtureDB(t, "mobile")
	ok(t, dir, "pair", "--db", "app.db", "--device", phone, "--token", "t1")
	sum := func() [32]byte {
		b, err := os.ReadFile(filepath.Join(dir, "app.db"))
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	before := sum()
	writer, err := sqlite3.Open(filepath.Join(dir, "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	if err := writer.Exec(`BEGIN IMMEDIATE; INSERT INTO tags (id, category_id, name) VALUES ('g7', 'c1', 'Held')`); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"status"}, {"changes"}, {"fields", "tags", "g1"}, {"triggers"}, {"triggers", "--check"}, {"devices"},
	} {
		ok(t, dir, append(args, "--db", "app.db")...)
		ok(t, dir, append(args, "--db", "app.db", "--json")...)
	}
	if err := writer.Exec(`ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if sum() != before {
		t.Errorf("a read-only command changed the database file")
	}
}

// TestLogLevel checks that --log-level, before or after the command, sends
// the engine's structured logs to stderr, and that the default keeps them
// quiet.
func TestLogLevel(t *testing.T) {
	dir := t.TempDir()
	r := ctl(t, dir, "init", "--db", "a.db", "--profile", "mobile")
	if r.code != 0 || r.stderr != "" {
		t.Errorf("default level: exit %d, stderr %q", r.code, r.stderr)
	}
	r = ctl(t, dir, "init", "--db", "b.db", "--profile", "mobile", "--log-level", "info")
	if r.code != 0 || !strings.Contains(r.stderr, `"level":"info"`) || !strings.Contains(r.stderr, `"message":"migrated"`) ||
		!strings.Contains(r.stderr, `"cmd":"init"`) {
		t.Errorf("--log-level info: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	ok(t, dir, "pair", "--db", "b.db", "--device", phone, "--token", "t")
	r = ctl(t, dir, "--log-level", "info", "unpair", "--db", "b.db", "--device", phone)
	if r.code != 0 || !strings.Contains(r.stderr, `"message":"unpaired"`) {
		t.Errorf("global --log-level info: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
