package capture

import (
	"context"
	"errors"
	"testing"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

func TestUndo(t *testing.T) {
	ctx := context.Background()
	e, _ := openEngine(t, schema.Mobile)
	c := e.Conn()
	sqlitetest.Exec(t, c, appFixture)
	seqOf := func(where string) int64 {
		return sqlitetest.Int(t, c, `SELECT max(seq) FROM local_changes WHERE `+where)
	}
	release := func() string { return sqlitetest.Table(t, c, "discovery_releases") }

	sqlitetest.Exec(t, c, `UPDATE discovery_releases SET notes = 'first'`)
	sqlitetest.Exec(t, c, `UPDATE discovery_releases SET notes = 'second'`)
	// Undoing the older edit would overwrite the newer one.
	if err := e.Undo(ctx, seqOf(`new_value = 'first'`)); !errors.Is(err, ErrUndoConflict) {
		t.Errorf("undo of an overwritten edit: %v", err)
	}
	if err := e.Undo(ctx, seqOf(`new_value = 'second'`)); err != nil {
		t.Fatal(err)
	}
	if got := sqlitetest.Rows(t, c, `SELECT notes FROM discovery_releases`)[0][0]; got != `"first"` {
		t.Errorf("after undo notes = %s", got)
	}
	// The undo is itself a captured edit.
	last := collect(t, e, Filter{Newest: true, Limit: 1})[0]
	if last.Op != OpUpdate || last.Old != "second" || last.New != "first" {
		t.Errorf("undo captured as %+v", last)
	}

	// Undo a delete: the row comes back as it was, and cascaded children
	// can be restored the same way.
	sqlitetest.Exec(t, c, `INSERT INTO discovery_tracks (id, release_id, name, position, duration_ms) VALUES ('t1', 'r1', 'One', 1, 2.5)`)
	before := release()
	trackBefore := sqlitetest.Table(t, c, "discovery_tracks")
	sqlitetest.Exec(t, c, `DELETE FROM discovery_releases WHERE id = 'r1'`)
	if err := e.Undo(ctx, seqOf(`entity_type = 'discovery_releases' AND op = 3 AND field_name = ''`)); err != nil {
		t.Fatal(err)
	}
	if err := e.Undo(ctx, seqOf(`entity_type = 'discovery_tracks' AND op = 3 AND field_name = ''`)); err != nil {
		t.Fatal(err)
	}
	if release() != before || sqlitetest.Table(t, c, "discovery_tracks") != trackBefore {
		t.Errorf("undone delete restored:\n%s\n%s\nwant\n%s\n%s", release(), sqlitetest.Table(t, c, "discovery_tracks"), before, trackBefore)
	}
	if err := e.Undo(ctx, seqOf(`entity_type = 'discovery_releases' AND op = 3 AND field_name = 'notes'`)); !errors.Is(err, ErrNotUndoable) {
		t.Errorf("undo of a per-field delete entry: %v", err)
	}

	// Undo an insert (a composite key).
	sqlitetest.Exec(t, c, `INSERT INTO discovery_release_tags VALUES ('r1', 'g1')`)
	if err := e.Undo(ctx, seqOf(`entity_type = 'discovery_release_tags' AND op = 1`)); err != nil {
		t.Fatal(err)
	}
	if n := sqlitetest.Int(t, c, `SELECT count(*) FROM discovery_release_tags`); n != 0 {
		t.Error("undone insert left the row")
	}
	if err := e.Undo(ctx, seqOf(`entity_type = 'discovery_release_tags' AND op = 1`)); !errors.Is(err, ErrUndoConflict) {
		t.Errorf("second undo of the insert: %v", err)
	}
	// A delete whose per-field entries were pruned cannot be undone.
	sqlitetest.Exec(t, c, `DELETE FROM discovery_tracks WHERE id = 't1'`)
	del := seqOf(`entity_type = 'discovery_tracks' AND op = 3 AND field_name = ''`)
	sqlitetest.Exec(t, c, `DELETE FROM local_changes WHERE seq < `+itoa(del)+` AND entity_type = 'discovery_tracks'`)
	if err := e.Undo(ctx, del); !errors.Is(err, ErrNotUndoable) {
		t.Errorf("undo of a delete whose old values were pruned: %v", err)
	}
	if err := e.Undo(ctx, 1<<40); !errors.Is(err, ErrNoChange) {
		t.Errorf("undo of a missing change: %v", err)
	}
	sqlitetest.Exec(t, c, `INSERT INTO local_changes (entity_type, entity_id, field_name, op, hlc, origin) VALUES ('tags', 'g1', 'name', 2, 1, 'ffffffffffffffff')`)
	if err := e.Undo(ctx, seqOf(`origin IS NOT NULL`)); !errors.Is(err, ErrNotUndoable) {
		t.Errorf("undo of a received change: %v", err)
	}
}
