package lww

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// TestRegistersMoveToWhereTheyAreKept: registers found in
// capture_registers for a keyed table (as the triggers of an older version
// left them, and an apply of a table not synced yet does) are moved under
// entity keys by the next Install, and registers under entity keys of a
// table that is not keyed are moved back; field_timestamps reads the same
// before and after, and the devices go on converging.
func TestRegistersMoveToWhereTheyAreKept(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func(name string, p schema.Profile) *device {
		e, err := capture.Open(ctx, filepath.Join(dir, name+".db"), capture.Options{Profile: p})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return &device{name: name, e: e}
	}
	desk, phone := open("desktop", schema.Desktop), open("phone", schema.Mobile)
	pairAll(t, desk, phone)
	desk.exec(t, `
		INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'One', 'd', 'd'), ('r2', 'u2', 'Two', 'd', 'd');
		INSERT INTO tag_categories (id, name) VALUES ('c1', 'Genre');
		INSERT INTO tags (id, category_id, name) VALUES ('g1', 'c1', 'House');
		INSERT INTO discovery_release_tags (release_id, tag_id) VALUES ('r1', 'g1');
		UPDATE discovery_releases SET notes = 'n' WHERE id = 'r1';
		DELETE FROM discovery_releases WHERE id = 'r2';`)
	phone.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r3', 'u3', 'Three', 'd', 'd')`)
	exchange(t, desk, phone)
	const registers = `SELECT entity_type, entity_id, field_name, hlc, origin, seq, tombstone FROM field_timestamps ORDER BY 1, 2, 3`
	before := fmt.Sprint(query(t, desk, registers))
	if n := query(t, desk, `SELECT count(*) FROM capture_registers WHERE entity_type = 'discovery_releases'`)[0][0]; n != "0" {
		t.Fatalf("%s registers of discovery_releases under their entity id, want none", n)
	}

	// The layout of an older version: every register under its entity id.
	path := filepath.Join(dir, "desktop.db")
	desk.e.Close()
	conn, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	sqlitetest.Exec(t, conn, `BEGIN;
		INSERT INTO capture_registers SELECT * FROM field_timestamps WHERE entity_type IN (SELECT entity_type FROM capture_entities);
		DELETE FROM capture_keyed_registers; DELETE FROM capture_entities;
		COMMIT`)
	conn.Close()
	desk = open("desktop", schema.Desktop)
	if n := query(t, desk, `SELECT count(*) FROM capture_registers WHERE entity_type IN (SELECT entity_type FROM capture_entities)`)[0][0]; n != "0" {
		t.Errorf("after Install, %s registers of keyed tables under their entity id, want none", n)
	}
	if after := fmt.Sprint(query(t, desk, registers)); after != before {
		t.Errorf("field_timestamps changed in the move:\nbefore %s\nafter  %s", before, after)
	}
	desk.exec(t, `UPDATE discovery_releases SET title = 'Uno' WHERE id = 'r1'`)
	phone.exec(t, `UPDATE discovery_releases SET notes = 'p' WHERE id = 'r1'`)
	exchange(t, desk, phone)
	exchange(t, desk, phone)
	checkConverged(t, desk, phone)
	if got := fmt.Sprint(query(t, phone, `SELECT title, notes FROM discovery_releases WHERE id = 'r1'`)); got != `[["Uno" "p"]]` {
		t.Errorf("the phone's r1: %s", got)
	}
}

// TestIntegerKeyRegistersMoveBack: a table keyed by an INTEGER PRIMARY KEY
// keeps its registers under the entity id; registers of it found under
// entity keys are moved there by Install.
func TestIntegerKeyRegistersMoveBack(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	spec := &schema.Spec{Tables: []schema.TableSpec{{Name: "t"}}}
	openT := func() *capture.Engine {
		conn, err := sqlite3.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sqlitetest.Exec(t, conn, `CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, a TEXT)`)
		e, err := capture.OpenConn(ctx, conn, capture.Options{Profile: schema.Desktop, Spec: spec})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := openT()
	sqlitetest.Exec(t, e.Conn(), `INSERT INTO t VALUES (1, 'x'), (2, 'y'); UPDATE t SET a = 'z' WHERE id = 2`)
	const registers = `SELECT entity_type, entity_id, field_name, hlc, origin, seq, tombstone FROM field_timestamps ORDER BY 1, 2, 3`
	before := fmt.Sprint(sqlitetest.Rows(t, e.Conn(), registers))
	if n := sqlitetest.Int(t, e.Conn(), `SELECT count(*) FROM capture_entities`); n != 0 {
		t.Fatalf("%d entity keys for an INTEGER PRIMARY KEY table, want none", n)
	}
	sqlitetest.Exec(t, e.Conn(), `BEGIN;
		INSERT INTO capture_entities (entity_type, entity_id) SELECT entity_type, entity_id FROM capture_registers GROUP BY 1, 2;
		INSERT INTO capture_keyed_registers SELECT e.key, r.field_name, r.hlc, r.origin, r.seq, r.tombstone
			FROM capture_registers r JOIN capture_entities e USING (entity_type, entity_id);
		DELETE FROM capture_registers;
		COMMIT`)
	e.Close()
	e.Conn().Close()
	e = openT()
	defer func() { e.Close(); e.Conn().Close() }()
	if n := sqlitetest.Int(t, e.Conn(), `SELECT (SELECT count(*) FROM capture_entities) + (SELECT count(*) FROM capture_keyed_registers)`); n != 0 {
		t.Errorf("%d entity keys and keyed registers left, want none", n)
	}
	if after := fmt.Sprint(sqlitetest.Rows(t, e.Conn(), registers)); after != before {
		t.Errorf("field_timestamps changed in the move:\nbefore %s\nafter  %s", before, after)
	}
}
