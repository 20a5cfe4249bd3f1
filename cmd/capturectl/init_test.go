package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/capture-sync/capture/schema"
)

func TestInit(t *testing.T) {
	dir := t.TempDir()
	out := ok(t, dir, "init", "--db", "app.db", "--profile", "mobile")
	golden(t, "init_mobile", normalise(t, dir, out))

	var rep initReport
	okJSON(t, dir, &rep, "init", "--db", "app.db", "--profile", "mobile", "--json")
	id, fp := node(t, dir)
	if rep.Created || rep.PreviousVersion != schema.Latest() || rep.SchemaVersion != schema.Latest() ||
		rep.Profile != "mobile" || rep.NodeID != id || rep.Fingerprint != fp || rep.Triggers == 0 {
		t.Errorf("second init reported %+v", rep)
	}
	roles := map[string]tableEntry{}
	for _, te := range rep.Tables {
		roles[te.Name] = te
	}
	if te := roles["discovery_release_tags"]; !te.Sync || strings.Join(te.Key, ",") != "release_id,tag_id" {
		t.Errorf("discovery_release_tags: %+v", te)
	}
	if te := roles["local_changes"]; te.Sync || te.Role != "engine" {
		t.Errorf("local_changes: %+v", te)
	}
	if _, ok := roles["tracks"]; ok {
		t.Errorf("a mobile database has the desktop-only table tracks")
	}
}

func TestInitDesktop(t *testing.T) {
	dir := t.TempDir()
	var rep initReport
	okJSON(t, dir, &rep, "init", "--db", "desktop.db", "--profile", "desktop", "--json")
	if !rep.Created || rep.PreviousVersion != 0 || rep.Profile != "desktop" {
		t.Errorf("init reported %+v", rep)
	}
	found := false
	for _, te := range rep.Tables {
		if te.Name == "tracks" {
			found = true
			if te.Sync || te.Role != "desktop-only" {
				t.Errorf("tracks: %+v", te)
			}
		}
	}
	if !found {
		t.Errorf("no tracks table in %+v", rep.Tables)
	}
}

// TestInitUpgradesAppDatabase checks init on a desktop database the app
// created at schema version 2.
func TestInitUpgradesAppDatabase(t *testing.T) {
	dir := t.TempDir()
	sql, err := os.ReadFile(filepath.Join("..", "..", "schema", "testdata", "desktop-schema-v2.sql"))
	if err != nil {
		t.Fatal(err)
	}
	edit(t, dir, `CREATE TABLE schema_version (version INTEGER PRIMARY KEY);`+string(sql)+
		`INSERT INTO schema_version VALUES (1), (2);
		INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood');`)
	r := ctl(t, dir, "status", "--db", "app.db")
	if r.code != 1 || !strings.Contains(r.stderr, "hint: initialize it with capturectl init --db app.db --profile desktop") {
		t.Errorf("status of an app database: exit %d\n%s", r.code, r.stderr)
	}
	r = ctl(t, dir, "init", "--db", "app.db", "--profile", "mobile")
	if r.code != 1 || !strings.Contains(r.stderr, "--profile desktop") {
		t.Errorf("init as mobile: exit %d\n%s", r.code, r.stderr)
	}
	var rep initReport
	okJSON(t, dir, &rep, "init", "--db", "app.db", "--profile", "desktop", "--json")
	if rep.Created || rep.PreviousVersion != 2 || rep.SchemaVersion != schema.Latest() {
		t.Errorf("init reported %+v", rep)
	}
	out := ok(t, dir, "init", "--db", "app.db", "--profile", "desktop")
	if !strings.Contains(out, "(up to date)") {
		t.Errorf("second init:\n%s", out)
	}
	// The row from before the triggers is adopted: its insert has the
	// adopted origin and a stamp below every edit (from before 1988) that
	// digests its values.
	out = ok(t, dir, "fields", "--db", "app.db", "tag_categories", "c1")
	if !regexp.MustCompile(`\(row\) +exists +19[78]\d-\S+ +adopted +own\n`).MatchString(out) {
		t.Errorf("fields of a row older than the triggers:\n%s", out)
	}
}
