package lww

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// TestReliabilityReadOnly: a database opened read-only refuses every
// write clearly (SQLITE_READONLY), through the engine, lww.Apply and an
// app connection, and nothing changes.
func TestReliabilityReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "phone.db")
	e, err := capture.Open(ctx, path, capture.Options{Profile: schema.Mobile})
	if err != nil {
		t.Fatal(err)
	}
	phone := &device{name: "phone", e: e}
	desk := newDevice(t, "desktop", schema.Desktop)
	pairAll(t, phone, desk)
	desk.exec(t, seedRelease)
	phone.apply(t, desk.export(t, phone, true))
	desk.exec(t, `UPDATE discovery_releases SET notes = 'later'`)
	cs := desk.export(t, phone, false)
	// Something for Prune to delete: two edits the desktop acknowledged.
	phone.exec(t, `UPDATE discovery_releases SET label = 'a'; UPDATE discovery_releases SET label = 'b'`)
	if err := e.Ack(ctx, desk.e.NodeID(), sqlitetest.Int(t, e.Conn(), `SELECT max(seq) FROM local_changes`)); err != nil {
		t.Fatal(err)
	}
	before, sum := dumpSum(t, e.Conn())
	e.Close()

	t.Run("Options.ReadOnly", func(t *testing.T) {
		ro, err := capture.Open(ctx, path, capture.Options{Profile: schema.Mobile, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		checks := map[string]error{
			"an app edit on the engine's connection": ro.Conn().Exec(`UPDATE discovery_releases SET notes = 'x'`),
			"Engine.Ack":                             ro.Ack(ctx, desk.e.NodeID(), 1),
			"Engine.Pair":                            ro.Pair(ctx, capture.Device{ID: "0123456789abcdef"}, []byte("t")),
		}
		_, checks["lww.Apply"] = Apply(ctx, ro, bytes.NewReader(cs), Options{})
		_, checks["Engine.Prune"] = ro.Prune(ctx)
		for what, err := range checks {
			if !errors.Is(err, sqlite3.READONLY) {
				t.Errorf("%s on a read-only engine: %v, want SQLITE_READONLY", what, err)
			}
		}
		checkUnchanged(t, ro.Conn(), before, sum, "writes to a read-only engine")
		// Reads work.
		if _, err := ro.Clock(ctx); err != nil {
			t.Error(err)
		}
		for _, err := range ro.Changes(ctx, capture.Filter{}) {
			if err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("app connection opened read-only", func(t *testing.T) {
		c, err := sqlite3.OpenFlags(path, sqlite3.OPEN_READONLY)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, sql := range []string{
			`UPDATE discovery_releases SET notes = 'x'`,
			`INSERT INTO settings VALUES ('theme', 'dark')`,
			`DELETE FROM discovery_tracks`,
		} {
			if err := c.Exec(sql); !errors.Is(err, sqlite3.READONLY) {
				t.Errorf("%s: %v, want SQLITE_READONLY", sql, err)
			}
		}
		checkUnchanged(t, c, before, sum, "writes on a read-only connection")
	})

	t.Run("file mode 0444", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("running as root, which file modes do not stop; the read-only opens above cover the case")
		}
		dir := t.TempDir()
		ro := filepath.Join(dir, "ro.db")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(ro, data, 0o444); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o555); err != nil { // no -wal or -journal either
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		if e, err := capture.Open(ctx, ro, capture.Options{Profile: schema.Mobile}); err == nil {
			e.Close()
			t.Error("capture.Open of a read-only file succeeded")
		}
		if got, _ := os.ReadFile(ro); !bytes.Equal(got, data) {
			t.Error("the read-only file changed")
		}
	})
}

// TestReliabilityDiskFull: with PRAGMA max_page_count set low, the app's
// writes fail with SQLITE_FULL and each edit and its capture stand or fall
// together; lww.Apply into the full database fails cleanly, changing
// nothing; once space is freed, both work again and the devices converge.
func TestReliabilityDiskFull(t *testing.T) {
	ctx := context.Background()
	phone, desk := newDevice(t, "phone", schema.Mobile), newDevice(t, "desktop", schema.Desktop)
	pairAll(t, phone, desk)
	desk.exec(t, seedRelease)
	phone.apply(t, desk.export(t, phone, true))
	var path string
	for _, r := range sqlitetest.Rows(t, phone.e.Conn(), `SELECT file FROM pragma_database_list WHERE name = 'main'`) {
		path = strings.Trim(r[0], `"`)
	}
	app := sqlitetest.OpenPath(t, path)
	limit := func(c *sqlite3.Conn, extra int64) {
		pages := sqlitetest.Int(t, c, `PRAGMA page_count`)
		sqlitetest.Exec(t, c, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+extra))
	}
	consistent := func(what string) {
		t.Helper()
		c := phone.e.Conn()
		rows := sqlitetest.Int(t, c, `SELECT count(*) FROM discovery_releases WHERE id LIKE 'f%'`)
		logged := sqlitetest.Int(t, c, `SELECT count(*) FROM local_changes WHERE origin IS NULL AND op = 1 AND entity_id LIKE 'f%'`)
		regs := sqlitetest.Int(t, c, `SELECT count(*) FROM field_timestamps WHERE field_name = '' AND tombstone = 0 AND entity_id LIKE 'f%'`)
		edits := sqlitetest.Int(t, c, `SELECT count(*) FROM discovery_releases WHERE id LIKE 'f%' AND notes IS NOT NULL`)
		noted := sqlitetest.Int(t, c, `SELECT count(DISTINCT entity_id) FROM local_changes WHERE origin IS NULL AND op = 2 AND field_name = 'notes' AND entity_id LIKE 'f%'`)
		if rows != logged || rows != regs || edits != noted {
			t.Errorf("%s: %d rows, %d logged inserts, %d existence registers; %d rows with notes, %d logged notes edits", what, rows, logged, regs, edits, noted)
		}
	}

	// The app writes until the disk is full: autocommit inserts, then
	// transactions of an insert and an edit.
	limit(app, 6)
	big := strings.Repeat("n", 3000)
	var full int
	for i := 0; i < 200 && full < 3; i++ {
		err := app.Exec(fmt.Sprintf(`INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('f%d', 'https://f/%d', '%s', 'd', 'd')`, i, i, big))
		if err != nil {
			if !errors.Is(err, sqlite3.FULL) {
				t.Fatalf("insert %d: %v, want SQLITE_FULL", i, err)
			}
			full++
		}
		consistent(fmt.Sprintf("after insert %d (%v)", i, err))
	}
	if full == 0 {
		t.Fatal("the database never filled up")
	}
	for i := 0; i < 20; i++ {
		err := app.Exec(fmt.Sprintf(`BEGIN IMMEDIATE; INSERT INTO discovery_releases (id, url, date_added, date_modified) VALUES ('ft%d', 'https://ft/%d', 'd', 'd');
			UPDATE discovery_releases SET notes = '%s' WHERE id = 'ft%d'; COMMIT`, i, i, big, i))
		if err != nil {
			if !errors.Is(err, sqlite3.FULL) {
				t.Fatalf("transaction %d: %v, want SQLITE_FULL", i, err)
			}
			app.Exec(`ROLLBACK`)
		}
		consistent(fmt.Sprintf("after transaction %d (%v)", i, err))
	}

	// A changeset into the full database.
	desk.exec(t, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
		INSERT INTO discovery_releases (id, url, notes, date_added, date_modified) SELECT 'd' || i, 'https://d/' || i, hex(randomblob(2000)), 'd', 'd' FROM n`)
	cs := desk.export(t, phone, false)
	limit(phone.e.Conn(), 0)
	before, sum := dumpSum(t, phone.e.Conn())
	if _, err := Apply(ctx, phone.e, bytes.NewReader(cs), Options{}); !errors.Is(err, sqlite3.FULL) {
		t.Fatalf("apply into a full database: %v, want SQLITE_FULL", err)
	}
	checkUnchanged(t, phone.e.Conn(), before, sum, "an apply that ran out of space")
	checkIntegrity(t, phone)

	// Space is freed: everything works again.
	for _, c := range []*sqlite3.Conn{app, phone.e.Conn()} {
		sqlitetest.Exec(t, c, `PRAGMA max_page_count = 1073741823`)
	}
	phone.apply(t, cs)
	sqlitetest.Exec(t, app, `INSERT INTO discovery_releases (id, url, date_added, date_modified) VALUES ('f-after', 'https://f/after', 'd', 'd')`)
	consistent("after space was freed")
	exchange(t, phone, desk)
	exchange(t, phone, desk)
	checkConverged(t, phone, desk)
	if got := sqlitetest.Rows(t, phone.e.Conn(), `PRAGMA integrity_check`); got[0][0] != `"ok"` {
		t.Errorf("integrity_check: %v", got)
	}
}
