package capture

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// TestSnapshotJoinMatchesPerRecordPath checks that the snapshot of tables
// read with their rows in one join is record for record what the
// per-register lookups write, on a database with inserts, edits, deletes,
// re-inserts, a composite key (per-register path in both) and registers
// whose value a later insert replaced. (The app's synced tables all have
// text keys.)
func TestSnapshotJoinMatchesPerRecordPath(t *testing.T) {
	e, _ := openEngine(t, schema.Desktop)
	if err := e.Pair(context.Background(), Device{ID: "00000000000000aa", Name: "peer"}, []byte("t")); err != nil {
		t.Fatal(err)
	}
	c := e.Conn()
	rng := rand.New(rand.NewPCG(7, 7))
	sqlitetest.Exec(t, c, `INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood')`)
	for i := range 40 {
		sqlitetest.Exec(t, c, fmt.Sprintf(`INSERT INTO tags (id, category_id, name) VALUES ('g%d', 'c1', 'tag %d')`, i, i))
		sqlitetest.Exec(t, c, fmt.Sprintf(`INSERT INTO discovery_releases (id, url, artist, date_added, date_modified)
			VALUES ('r%d', 'u%d', 'a', 'd', 'd')`, i, i))
		sqlitetest.Exec(t, c, fmt.Sprintf(`INSERT INTO discovery_release_tags VALUES ('r%d', 'g%d')`, i, i%5))
	}
	for range 200 {
		i := rng.IntN(40)
		switch rng.IntN(4) {
		case 0:
			sqlitetest.Exec(t, c, fmt.Sprintf(`UPDATE discovery_releases SET notes = 'n%d' WHERE id = 'r%d'`, rng.IntN(1000), i))
		case 1:
			sqlitetest.Exec(t, c, fmt.Sprintf(`UPDATE tags SET name = 'tag %d x%d' WHERE id = 'g%d'`, i, rng.IntN(1000), i))
		case 2:
			sqlitetest.Exec(t, c, fmt.Sprintf(`DELETE FROM discovery_releases WHERE id = 'r%d'`, i))
		case 3:
			sqlitetest.Exec(t, c, fmt.Sprintf(`INSERT OR IGNORE INTO discovery_releases (id, url, artist, date_added, date_modified)
				VALUES ('r%d', 'u%d', 'b', 'd', 'd')`, i, i))
		}
	}
	snapshot := func() []changeset.Record {
		var buf bytes.Buffer
		if _, err := e.Export(context.Background(), &buf, ExportOptions{Peer: "00000000000000aa", Snapshot: true}); err != nil {
			t.Fatal(err)
		}
		r, err := changeset.NewReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		var out []changeset.Record
		for {
			rec, err := r.Next()
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, rec)
		}
	}
	joined := snapshot()
	snapshotJoin = false
	defer func() { snapshotJoin = true }()
	perRecord := snapshot()
	if len(joined) != len(perRecord) {
		t.Fatalf("join path wrote %d records, per-record path %d", len(joined), len(perRecord))
	}
	gone := 0
	for i := range joined {
		if a, b := fmt.Sprintf("%#v", joined[i]), fmt.Sprintf("%#v", perRecord[i]); a != b {
			t.Errorf("record %d:\njoin:       %s\nper record: %s", i+1, a, b)
		}
		if joined[i].Kind == changeset.Field && !joined[i].HasValue {
			gone++
		}
	}
	if gone == 0 {
		t.Error("no field register without its value: the case of a newer insert is not covered")
	}
}

// TestExportRestoresCacheSize checks that Export gives back the page cache
// setting it found, after a snapshot, a delta and a cancelled export.
func TestExportRestoresCacheSize(t *testing.T) {
	for _, tc := range []struct {
		name     string
		snapshot bool
		cancel   bool
	}{{"snapshot", true, false}, {"delta", false, false}, {"cancelled", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := openEngine(t, schema.Desktop)
			if err := e.Pair(context.Background(), Device{ID: "00000000000000aa", Name: "peer"}, []byte("t")); err != nil {
				t.Fatal(err)
			}
			c := e.Conn()
			sqlitetest.Exec(t, c, `PRAGMA cache_size = -2000; INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood')`)
			for i := range 50 {
				sqlitetest.Exec(t, c, fmt.Sprintf(`INSERT INTO tags (id, category_id, name) VALUES ('g%d', 'c1', 'tag %d')`, i, i))
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var w io.Writer = io.Discard
			if tc.cancel { // cancelled once the export is under way
				w = writerFunc(func(p []byte) (int, error) { cancel(); return len(p), nil })
			}
			_, err := e.Export(ctx, w, ExportOptions{Peer: "00000000000000aa", Snapshot: tc.snapshot})
			if (err != nil) != tc.cancel {
				t.Fatalf("Export: %v", err)
			}
			if got := sqlitetest.Int(t, c, `PRAGMA cache_size`); got != -2000 {
				t.Errorf("cache_size after Export = %d, want -2000", got)
			}
		})
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
