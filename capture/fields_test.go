package capture

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

func TestFieldsAndClock(t *testing.T) {
	ctx := context.Background()
	e, path := openEngine(t, schema.Mobile)
	c := e.Conn()
	sqlitetest.Exec(t, c, appFixture)
	sqlitetest.Exec(t, c, `UPDATE discovery_releases SET notes = 'n' WHERE id = 'r1'`)
	fs, err := e.Fields(ctx, "discovery_releases", "r1")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]FieldState{}
	for _, f := range fs {
		byName[f.Field] = f
	}
	exist, notes, title := byName[""], byName["notes"], byName["title"]
	if !exist.Own || exist.Deleted || !notes.Own || notes.Value != "n" || title.Own || title.Stamp != exist.Stamp {
		t.Errorf("fields: %+v", fs)
	}
	if !exist.Stamp.Less(notes.Stamp) || notes.Stamp.Node != e.NodeID() {
		t.Errorf("stamps: exist %v notes %v", exist.Stamp, notes.Stamp)
	}
	clock, err := e.Clock(ctx)
	if err != nil || clock != notes.Stamp.HLC {
		t.Errorf("clock %s, want %s (%v)", clock, notes.Stamp.HLC, err)
	}
	sqlitetest.Exec(t, c, `DELETE FROM discovery_releases`)
	fs, err = e.Fields(ctx, "discovery_releases", "r1")
	if err != nil || !fs[0].Deleted || fs[1].Value != nil {
		t.Errorf("deleted: %+v %v", fs, err)
	}
	if _, err := e.Fields(ctx, "discovery_releases", "nope"); !errors.Is(err, ErrUnknownEntity) {
		t.Errorf("unknown entity: %v", err)
	}
	if _, err := e.Fields(ctx, "tracks", "x"); !errors.Is(err, ErrUnknownTable) {
		t.Errorf("unknown table: %v", err)
	}

	// Read-only: sees the same, writes nothing, refuses the wrong profile
	// and an uninitialized database.
	ro, err := Open(ctx, path, Options{Profile: schema.Mobile, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ro.NodeID() != e.NodeID() || ro.Fingerprint() != e.Fingerprint() || len(ro.Tables()) != len(e.Tables()) {
		t.Errorf("read-only engine: %s %s", ro.NodeID(), ro.Fingerprint())
	}
	if _, err := ro.Install(ctx); err == nil {
		t.Error("install on a read-only engine succeeded")
	}
	if _, err := Open(ctx, path, Options{Profile: schema.Desktop, ReadOnly: true}); !errors.Is(err, schema.ErrProfile) {
		t.Errorf("read-only, wrong profile: %v", err)
	}
	bare := filepath.Join(t.TempDir(), "bare.db")
	sqlitetest.Exec(t, sqlitetest.OpenPath(t, bare), `CREATE TABLE x (y)`)
	if _, err := Open(ctx, bare, Options{Profile: schema.Mobile, ReadOnly: true}); !errors.Is(err, ErrNotInitialized) {
		t.Errorf("read-only open of an uninitialized database: %v", err)
	}
	if _, err := Open(ctx, t.TempDir()+"/missing.db", Options{Profile: schema.Mobile, ReadOnly: true}); err == nil {
		t.Error("read-only open of a missing file succeeded")
	}
}
