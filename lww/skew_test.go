package lww

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/schema"
)

// newerSpec is the app's spec plus a table a later app version adds.
func newerSpec() *schema.Spec {
	s := schema.AppSpec().For(schema.Mobile)
	s.Tables = append(s.Tables, schema.TableSpec{Name: "crates"})
	return &s
}

const upgrade = `ALTER TABLE discovery_releases ADD COLUMN rating INTEGER;
CREATE TABLE crates (id TEXT PRIMARY KEY NOT NULL, name TEXT);`

// openAt opens a device's database again with a spec.
func openAt(t *testing.T, name, path string, spec *schema.Spec) *device {
	t.Helper()
	e, err := capture.Open(context.Background(), path, capture.Options{Profile: schema.Mobile, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return &device{name: name, e: e}
}

// upgraded migrates a device's database to the newer app version and
// reopens it.
func upgraded(t *testing.T, d *device) *device {
	t.Helper()
	path := d.e.Conn().Filename("main").String()
	d.exec(t, upgrade)
	d.e.Close()
	return openAt(t, d.name, path, newerSpec())
}

func TestNewerPeerChangesAreParkedThenPlaced(t *testing.T) {
	dir := t.TempDir()
	older := openAt(t, "older", filepath.Join(dir, "older.db"), nil)
	newer := openAt(t, "newer", filepath.Join(dir, "newer.db"), nil)
	newer = upgraded(t, newer)
	pairAll(t, older, newer)
	newer.exec(t, seedRelease+`UPDATE discovery_releases SET rating = 5, notes = 'n'; INSERT INTO crates VALUES ('k1', 'Peak time')`)

	res := older.apply(t, newer.export(t, older, true))
	if res.Parked == 0 {
		t.Fatalf("nothing parked: %+v", res)
	}
	if got := query(t, older, `SELECT notes FROM discovery_releases`)[0][0]; got != `"n"` {
		t.Errorf("known field not applied: %s", got)
	}
	if n := query(t, older, `SELECT count(*) FROM parked_values WHERE field_name = 'rating' OR entity_type = 'crates'`)[0][0]; n == "0" {
		t.Error("the newer column and table were not kept")
	}

	older = upgraded(t, older)
	if err := Replay(context.Background(), older.e); err != nil {
		t.Fatal(err)
	}
	if got := query(t, older, `SELECT rating FROM discovery_releases`)[0][0]; got != "5" {
		t.Errorf("rating after the upgrade: %s", got)
	}
	if got := query(t, older, `SELECT name FROM crates WHERE id = 'k1'`); len(got) != 1 || got[0][0] != `"Peak time"` {
		t.Errorf("crates after the upgrade: %v", got)
	}
	exchange(t, older, newer)
	checkConverged(t, older, newer)
}

func TestOlderPeerIsSentWhatItKnowsThenCatchesUp(t *testing.T) {
	dir := t.TempDir()
	older := openAt(t, "older", filepath.Join(dir, "older.db"), nil)
	newer := upgraded(t, openAt(t, "newer", filepath.Join(dir, "newer.db"), nil))
	pairAll(t, older, newer)
	newer.exec(t, seedRelease)
	older.apply(t, newer.export(t, older, true))
	syncTo(t, older, newer) // newer learns what older knows
	later()
	newer.exec(t, `UPDATE discovery_releases SET rating = 4, title = 'T2'; INSERT INTO crates VALUES ('k1', 'Warm up')`)

	cs := newer.export(t, older, false)
	fields := map[string]bool{}
	r, err := changeset.NewReader(bytes.NewReader(cs))
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		fields[rec.Table+"."+rec.Field] = true
	}
	if fields["discovery_releases.rating"] || fields["crates."] || !fields["discovery_releases.title"] {
		t.Fatalf("delta for the older peer holds %v", fields)
	}
	older.apply(t, cs)
	syncTo(t, older, newer) // acknowledges

	older = upgraded(t, older)
	syncTo(t, older, newer) // reports the new schema
	syncTo(t, newer, older) // catch-up
	if got := query(t, older, `SELECT rating || '/' || title FROM discovery_releases`)[0][0]; got != `"4/T2"` {
		t.Errorf("after catching up: %s", got)
	}
	if got := query(t, older, `SELECT count(*) FROM crates`)[0][0]; got != "1" {
		t.Errorf("crates after catching up: %s", got)
	}
	exchange(t, older, newer)
	checkConverged(t, older, newer)
}
