package capture

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// TestAdoptRowsWrittenWithoutTriggers: rows written while a capture trigger
// was missing have no register; Unadopted counts them, and the Install that
// puts the trigger back adopts them with the adopted stamp and an origin
// that is a digest of their values: the same on two devices for the same
// values, different for different values. Device-local rows are never
// adopted.
func TestAdoptRowsWrittenWithoutTriggers(t *testing.T) {
	ctx := context.Background()
	open := func(name string) *Engine {
		e, err := Open(ctx, filepath.Join(t.TempDir(), name), Options{Profile: schema.Mobile})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	}
	a, b := open("a.db"), open("b.db")
	for _, e := range []*Engine{a, b} {
		sqlitetest.Exec(t, e.Conn(), `DROP TRIGGER "capture:tag_categories:insert"; DROP TRIGGER "capture:settings:insert"`)
	}
	sqlitetest.Exec(t, a.Conn(), `INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood'), ('c2', 'Genre');
		INSERT INTO settings (key, value) VALUES ('theme', 'dark'), ('window_state', 'max')`)
	sqlitetest.Exec(t, b.Conn(), `INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood'), ('c2', 'Genre (b)')`)

	n, err := a.Unadopted(ctx)
	if err != nil || len(n) != 2 || n["tag_categories"] != 2 || n["settings"] != 1 {
		t.Fatalf("unadopted before the install: %v, %v (window_state is device-local)", n, err)
	}
	for _, e := range []*Engine{a, b} {
		rep, err := e.Install(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Created) != 2 || rep.Adopted["tag_categories"] != 2 {
			t.Fatalf("install: %+v", rep)
		}
		if n, err := e.Unadopted(ctx); err != nil || len(n) != 0 {
			t.Fatalf("unadopted after the install: %v, %v", n, err)
		}
	}
	reg := func(e *Engine, id string) string {
		rows := sqlitetest.Rows(t, e.Conn(), `SELECT f.hlc BETWEEN 1 AND ?, f.origin, c.op, c.hlc = f.hlc AND c.origin = f.origin, f.hlc
			FROM field_timestamps f JOIN local_changes c ON c.seq = f.seq
			WHERE f.entity_type = 'tag_categories' AND f.entity_id = ? AND f.field_name = ''`, int64(AdoptedBelow-1), id)
		if len(rows) != 1 || rows[0][0] != "1" || rows[0][1] != `"`+AdoptedOrigin+`"` || rows[0][2] != "1" || rows[0][3] != "1" {
			t.Fatalf("register of %s: %v", id, rows)
		}
		return rows[0][4]
	}
	if reg(a, "c1") != reg(b, "c1") {
		t.Error("the same row adopted on two devices has two origins")
	}
	if reg(a, "c2") == reg(b, "c2") {
		t.Error("different rows adopted on two devices have one origin")
	}
	if got := sqlitetest.Int(t, a.Conn(), `SELECT count(*) FROM field_timestamps WHERE entity_type = 'settings' AND entity_id = 'window_state'`); got != 0 {
		t.Error("a device-local setting was adopted")
	}
	// The next edit is stamped above everything issued before.
	before, err := a.Clock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sqlitetest.Exec(t, a.Conn(), `UPDATE tag_categories SET sort_order = 5 WHERE id = 'c1'`)
	if after, _ := a.Clock(ctx); after <= before {
		t.Errorf("clock went from %v to %v", before, after)
	}
}
