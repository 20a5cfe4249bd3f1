package lww

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// TestApplyRestoresSettingsWhenCancelled cancels the context in the middle
// of an Apply: the connection's settings must still come back.
func TestApplyRestoresSettingsWhenCancelled(t *testing.T) {
	a, b := newDevice(t, "a", schema.Desktop), newDevice(t, "b", schema.Desktop)
	pairAll(t, a, b)
	a.exec(t, `INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood')`)
	cs := a.export(t, b, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Apply(ctx, b.e, bytes.NewReader(cs), Options{Now: func() time.Time { cancel(); return time.Now() }})
	if err == nil {
		t.Fatal("Apply with a cancelled context succeeded")
	}
	c := b.e.Conn()
	if got := sqlitetest.Int(t, c, `PRAGMA temp_store`); got != 0 {
		t.Errorf("temp_store after a cancelled Apply = %d, want 0", got)
	}
	if got := sqlitetest.Int(t, c, `PRAGMA cache_size`); got != -2000 {
		t.Errorf("cache_size after a cancelled Apply = %d, want -2000", got)
	}
	if on, err := c.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER); err != nil || !on {
		t.Errorf("triggers on after a cancelled Apply = %v (%v), want true", on, err)
	}
}

func TestCaptureTriggersOff(t *testing.T) {
	for _, tc := range []struct {
		name       string
		setup      string
		offBefore  bool
		wantDuring bool // triggers on during the transaction
	}{
		{"only capture triggers", ``, false, false},
		{"an app trigger", `CREATE TABLE audit (x); CREATE TRIGGER audit_tags AFTER INSERT ON tags BEGIN INSERT INTO audit VALUES (NEW.id); END`, false, true},
		{"a temp trigger only", `CREATE TEMP TRIGGER t_tags AFTER INSERT ON tags BEGIN SELECT 1; END`, false, false},
		{"already off", ``, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDevice(t, "d", schema.Desktop)
			c := d.e.Conn()
			if tc.setup != "" {
				d.exec(t, tc.setup)
			}
			if tc.offBefore {
				if _, err := c.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER, false); err != nil {
					t.Fatal(err)
				}
			}
			d.exec(t, `BEGIN IMMEDIATE`)
			restore, off := captureTriggersOff(c)
			if off == tc.wantDuring {
				t.Errorf("captureTriggersOff reports off = %v, want %v", off, !tc.wantDuring)
			}
			during, err := c.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER)
			if err != nil {
				t.Fatal(err)
			}
			if during != tc.wantDuring {
				t.Errorf("triggers on during = %v, want %v", during, tc.wantDuring)
			}
			restore()
			d.exec(t, `COMMIT`)
			after, err := c.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER)
			if err != nil {
				t.Fatal(err)
			}
			if after == tc.offBefore {
				t.Errorf("triggers on after = %v, want %v", after, !tc.offBefore)
			}
		})
	}
}

// TestApplyRunsAppTriggers checks that a trigger of the app's own runs on
// the writes of an Apply, that cascades reach children while the capture
// triggers are off, and that local edits are captured again afterwards.
func TestApplyRunsAppTriggers(t *testing.T) {
	for _, appTrigger := range []bool{false, true} {
		t.Run(fmt.Sprintf("app trigger %v", appTrigger), func(t *testing.T) {
			a, b := newDevice(t, "a", schema.Desktop), newDevice(t, "b", schema.Desktop)
			pairAll(t, a, b)
			b.exec(t, `CREATE TABLE audit (release TEXT)`)
			if appTrigger {
				b.exec(t, `CREATE TRIGGER audit_releases AFTER INSERT ON discovery_releases BEGIN INSERT INTO audit VALUES (NEW.id); END`)
			}
			a.exec(t, `
				INSERT INTO discovery_releases (id, url, date_added, date_modified) VALUES ('r1', 'u1', 'd', 'd'), ('r2', 'u2', 'd', 'd');
				INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t1', 'r1', 'One', 1), ('t2', 'r2', 'Two', 1)`)
			syncTo(t, a, b)
			want := int64(0)
			if appTrigger {
				want = 2
			}
			if n := sqlitetest.Int(t, b.e.Conn(), `SELECT count(*) FROM audit`); n != want {
				t.Errorf("app trigger ran %d times on merged inserts, want %d", n, want)
			}
			a.exec(t, `DELETE FROM discovery_releases WHERE id = 'r1'`)
			syncTo(t, a, b)
			if n := sqlitetest.Int(t, b.e.Conn(), `SELECT count(*) FROM discovery_tracks`); n != 1 {
				t.Errorf("%d tracks after the merged delete of r1, want 1 (cascade)", n)
			}
			before := sqlitetest.Int(t, b.e.Conn(), `SELECT count(*) FROM local_changes`)
			b.exec(t, `UPDATE discovery_releases SET title = 'local' WHERE id = 'r2'`)
			if n := sqlitetest.Int(t, b.e.Conn(), `SELECT count(*) FROM local_changes`); n != before+1 {
				t.Errorf("local edit after Apply logged %d changes, want 1", n-before)
			}
			checkIntegrity(t, a, b)
		})
	}
}
