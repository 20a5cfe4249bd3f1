package capture

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3/driver"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// TestApplyingFlag: the triggers skip while the flag is set, and a
// transaction cannot commit with the flag still set.
func TestApplyingFlag(t *testing.T) {
	e, _ := openEngine(t, schema.Mobile)
	c := e.Conn()
	sqlitetest.Exec(t, c, appFixture)
	n := sqlitetest.Int(t, c, `SELECT count(*) FROM local_changes`)

	sqlitetest.Exec(t, c, `BEGIN; UPDATE sync_state SET applying = 1; UPDATE discovery_releases SET notes = 'remote'`)
	if m := sqlitetest.Int(t, c, `SELECT count(*) FROM local_changes`); m != n {
		t.Errorf("an edit made while applying was captured")
	}
	err := c.Exec(`COMMIT`)
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Fatalf("commit with the flag set: %v, want a FOREIGN KEY error", err)
	}
	sqlitetest.Exec(t, c, `ROLLBACK`)
	if sqlitetest.Int(t, c, `SELECT applying IS NULL FROM sync_state`) != 1 {
		t.Error("flag survived")
	}
	// Outside a transaction the statement itself fails.
	if err := c.Exec(`UPDATE sync_state SET applying = 1`); err == nil {
		t.Error("autocommit update of the flag succeeded")
	}
	// Cleared before commit, the transaction commits.
	sqlitetest.Exec(t, c, `BEGIN; UPDATE sync_state SET applying = 1; UPDATE discovery_releases SET notes = 'remote'; UPDATE sync_state SET applying = NULL; COMMIT`)
	if sqlitetest.Rows(t, c, `SELECT notes FROM discovery_releases`)[0][0] != `"remote"` {
		t.Error("applied edit lost")
	}
	if m := sqlitetest.Int(t, c, `SELECT count(*) FROM local_changes`); m != n {
		t.Errorf("applied edit was captured")
	}
}

func TestInstallIsIdempotentAndReportsDrift(t *testing.T) {
	ctx := context.Background()
	e, path := openEngine(t, schema.Mobile)
	c := e.Conn()
	if d, err := e.Drift(ctx); err != nil || len(d) != 0 {
		t.Fatalf("fresh engine drift: %v %v", d, err)
	}
	before := sqlitetest.Dump(t, c)
	rep, err := e.Install(ctx)
	if err != nil || len(rep.Created)+len(rep.Replaced)+len(rep.Dropped) != 0 || rep.Unchanged == 0 {
		t.Fatalf("second install: %+v %v", rep, err)
	}
	if sqlitetest.Dump(t, c) != before {
		t.Error("second install changed the database")
	}

	// Drift of every kind.
	sqlitetest.Exec(t, c, `DROP TRIGGER "capture:tags:insert"`)
	sqlitetest.Exec(t, c, `DROP TRIGGER "capture:tags:delete"; CREATE TRIGGER "capture:tags:delete" AFTER DELETE ON tags BEGIN SELECT 1; END`)
	sqlitetest.Exec(t, c, `CREATE TRIGGER "capture:gone:insert" AFTER INSERT ON tags BEGIN SELECT 1; END`)
	sqlitetest.Exec(t, c, `ALTER TABLE discovery_releases ADD COLUMN rating INTEGER`)
	drift, err := e.Drift(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Drift{
		{"capture:tags:insert", Missing}, {"capture:tags:delete", Changed},
		{"capture:discovery_releases:update:rating", Missing}, {"capture:gone:insert", Extra},
	}
	for _, w := range want {
		found := false
		for _, d := range drift {
			found = found || d == w
		}
		if !found {
			t.Errorf("drift %v not reported (got %v)", w, drift)
		}
	}
	// The delete and key triggers of discovery_releases change too: they
	// now log the new column.
	fpBefore := e.Fingerprint()
	rep, err = e.Install(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Created) != 2 || len(rep.Dropped) != 1 || len(rep.Replaced) != 3 {
		t.Errorf("install: %+v", rep)
	}
	if d, _ := e.Drift(ctx); len(d) != 0 {
		t.Errorf("drift after install: %v", d)
	}
	if e.Fingerprint() == fpBefore {
		t.Error("fingerprint unchanged by a new tracked column")
	}
	sqlitetest.Exec(t, c, appFixture+`UPDATE discovery_releases SET rating = 5`)
	if n := sqlitetest.Int(t, c, `SELECT count(*) FROM local_changes WHERE field_name = 'rating' AND new_value = 5`); n != 1 {
		t.Error("the new column is not captured")
	}
	// Reopening finds nothing to do.
	e.Close()
	e2, err := Open(ctx, path, Options{Profile: schema.Mobile})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if got := sqlitetest.Table(t, e2.Conn(), "sync_state", "spec_fingerprint"); got != `"`+e.Fingerprint()+`"` {
		t.Errorf("recorded fingerprint %s, want %s", got, e.Fingerprint())
	}
}

func TestOpenFormsAndErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	db, err := driver.Open("file:" + filepath.Join(dir, "sql.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e, err := OpenDB(ctx, db, Options{Profile: schema.Desktop})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.NodeID()) != 16 || e.Profile() != schema.Desktop {
		t.Errorf("node %q profile %s", e.NodeID(), e.Profile())
	}
	// Edits through the pool are captured.
	if _, err := db.ExecContext(ctx, `INSERT INTO settings VALUES ('theme', 'dark')`); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.LastSeq(ctx); n != 1 {
		t.Errorf("last seq %d after an edit through database/sql", n)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.LastSeq(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("closed engine: %v", err)
	}

	conn := sqlitetest.Open(t, "conn.db")
	e, err = OpenConn(ctx, conn, Options{Profile: schema.Mobile})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	if err := conn.Exec(`SELECT 1`); err != nil {
		t.Errorf("Close closed a connection it did not open: %v", err)
	}
	if _, err := OpenConn(ctx, conn, Options{Profile: schema.Desktop}); !errors.Is(err, schema.ErrProfile) {
		t.Errorf("wrong profile: %v", err)
	}
	if _, err := OpenConn(ctx, conn, Options{}); !errors.Is(err, schema.ErrUnknownProfile) {
		t.Errorf("no profile: %v", err)
	}
	bad := schema.Spec{Tables: []schema.TableSpec{{Name: "discovery_stream_cache"}, {Name: "nope"}}}
	if _, err := OpenConn(ctx, conn, Options{Profile: schema.Mobile, Spec: &bad}); !errors.Is(err, schema.ErrUntrackable) {
		t.Errorf("untrackable table: %v", err)
	}
}
