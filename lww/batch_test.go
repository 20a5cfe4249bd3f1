package lww

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

func TestBatchSortKeepsTableOrderAndRowsFirst(t *testing.T) {
	var b batch
	recs := []changeset.Record{
		{Kind: changeset.Field, Table: "parent", Entity: "b", Field: "x"},
		{Kind: changeset.Row, Table: "child", Entity: "a"},
		{Kind: changeset.Field, Table: "parent", Entity: "a", Field: "x"},
		{Kind: changeset.Row, Table: "parent", Entity: "b"},
		{Kind: changeset.Field, Table: "parent", Entity: "a", Field: "y"},
	}
	for i, r := range recs {
		b.add(r, i+1)
	}
	b.sort()
	var got []int
	for _, it := range b.items {
		got = append(got, it.pos)
	}
	want := []int{3, 5, 4, 1, 2} // parent (first seen) a x, a y, b row, b x; then child
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sorted positions = %v, want %v", got, want)
	}
}

// smallBatches makes Apply's batches hold n records until the test ends.
func smallBatches(t testing.TB, n int) {
	old := batchRecords
	batchRecords = n
	t.Cleanup(func() { batchRecords = old })
}

// TestBatchLimit: the first batch is small, each next one four times the
// one before, up to batchRecords.
func TestBatchLimit(t *testing.T) {
	for _, tc := range []struct {
		records int
		want    []int
	}{
		{1 << 15, []int{1024, 4096, 16384, 32768, 32768}},
		{3000, []int{1024, 3000, 3000}},
		{100, []int{100, 100}},
		{1, []int{1, 1}},
	} {
		smallBatches(t, tc.records)
		var got []int
		for n := range tc.want {
			got = append(got, batchLimit(n))
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("batchRecords %d: limits %v, want %v", tc.records, got, tc.want)
		}
	}
}

// TestApplyInBatches applies one changeset in batches of three records and
// checks that the result, and the order of the decisions, are those of the
// changeset.
func TestApplyInBatches(t *testing.T) {
	smallBatches(t, 3)

	a, b := newDevice(t, "a", schema.Desktop), newDevice(t, "b", schema.Desktop)
	pairAll(t, a, b)
	a.exec(t, `INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood')`)
	for i := 9; i >= 1; i-- {
		a.exec(t, fmt.Sprintf(`INSERT INTO tags (id, category_id, name) VALUES ('t%d', 'c1', 'tag %d')`, i, i))
	}
	a.exec(t, `UPDATE tags SET name = name || ' renamed' WHERE id IN ('t2', 't7')`)
	cs := a.export(t, b, false)

	var want []string
	r, err := changeset.NewReader(bytes.NewReader(cs))
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		want = append(want, fmt.Sprintf("%s %v %s", rec.Table, rec.Entity, rec.Field))
	}
	res, err := Apply(context.Background(), b.e, bytes.NewReader(cs), Options{Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != len(want) || len(res.Decisions) != len(want) {
		t.Fatalf("records %d, decisions %d, want %d", res.Records, len(res.Decisions), len(want))
	}
	for i, d := range res.Decisions {
		if got := fmt.Sprintf("%s %v %s", d.Table, d.Entity, d.Field); got != want[i] {
			t.Errorf("decision %d is for %s, want %s (changeset order)", i+1, got, want[i])
		}
	}
	checkConverged(t, a, b)
}

// TestFreshTableReadsOutOfOrderEntities applies, one record per batch, rows
// of a table that had no registers with the entities out of order, and a
// field of an entity written two batches before: the field must find the
// row's register (and be written), not be taken for a field of a row that
// is not here (and parked).
func TestFreshTableReadsOutOfOrderEntities(t *testing.T) {
	smallBatches(t, 1)

	a, b := newDevice(t, "a", schema.Desktop), newDevice(t, "b", schema.Desktop)
	pairAll(t, a, b)
	h := headerFrom(t, a, b)
	origin := a.e.NodeID()
	now := int64(capture.HLCAt(time.Now()))
	row := func(id string, hlc int64) changeset.Record {
		return changeset.Record{Kind: changeset.Row, Table: "tag_categories", Entity: id, Alive: true,
			Row: []changeset.Column{{Name: "id", Value: id}, {Name: "name", Value: "cat " + id}}, HLC: hlc, Origin: origin, Seq: 1}
	}
	cs := craft(t, h, row("c2", now), row("c1", now+1), fieldRec("tag_categories", "c2", "name", "renamed", now+2, origin))
	res, err := Apply(context.Background(), b.e, bytes.NewReader(cs), Options{Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Parked != 0 {
		t.Errorf("parked %d records: %+v", res.Parked, res.Decisions)
	}
	if n := sqlitetest.Int(t, b.e.Conn(), `SELECT count(*) FROM tag_categories WHERE id = 'c2' AND name = 'renamed'`); n != 1 {
		t.Errorf("c2 not renamed: %v", sqlitetest.Rows(t, b.e.Conn(), `SELECT * FROM tag_categories`))
	}
}

// TestSortedBatchesPlaceWhatOrderParked: applied in the batch's order, a
// category's delete comes before the earlier move of its tag to another
// category, and a new category comes before the delete of the one that
// held its unique name; both rows end placed, as in the sender's order.
func TestSortedBatchesPlaceWhatOrderParked(t *testing.T) {
	for _, tc := range []struct {
		name, setup, edits, check string
	}{
		{"move, then delete the old parent",
			`INSERT INTO tag_categories (id, name) VALUES ('p', 'Old'); INSERT INTO tags (id, category_id, name) VALUES ('t1', 'p', 'one')`,
			`INSERT INTO tag_categories (id, name) VALUES ('q', 'New'); UPDATE tags SET category_id = 'q' WHERE id = 't1'; DELETE FROM tag_categories WHERE id = 'p'`,
			`SELECT count(*) FROM tags WHERE id = 't1' AND category_id = 'q'`},
		{"delete, then reuse a unique name",
			`INSERT INTO tag_categories (id, name) VALUES ('z', 'Mood')`,
			`DELETE FROM tag_categories WHERE id = 'z'; INSERT INTO tag_categories (id, name) VALUES ('a', 'Mood')`,
			`SELECT count(*) FROM tag_categories WHERE id = 'a' AND name = 'Mood'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newDevice(t, "a", schema.Desktop), newDevice(t, "b", schema.Desktop)
			pairAll(t, a, b)
			a.exec(t, tc.setup)
			exchange(t, a, b)
			a.exec(t, tc.edits)
			syncTo(t, a, b)
			if n := sqlitetest.Int(t, b.e.Conn(), tc.check); n != 1 {
				t.Errorf("%s: %d rows, want 1 (parked: %v)", tc.check, n, sqlitetest.Rows(t, b.e.Conn(), `SELECT * FROM parked_values`))
			}
			checkConverged(t, a, b)
		})
	}
}

func TestParentsUnsafe(t *testing.T) {
	for _, tc := range []struct {
		name, ddl string
		want      bool
	}{
		{"capture triggers only", ``, false},
		{"an app trigger", `CREATE TRIGGER app_touch AFTER INSERT ON tags BEGIN SELECT 1; END`, true},
		{"ON CONFLICT REPLACE", `CREATE TABLE app_extra (k TEXT PRIMARY KEY ON CONFLICT REPLACE)`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDevice(t, "d", schema.Desktop)
			if tc.ddl != "" {
				d.exec(t, tc.ddl)
			}
			a, err := newApplier(d.e, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer a.close()
			if a.parentsUnsafe != tc.want {
				t.Errorf("parentsUnsafe = %v, want %v", a.parentsUnsafe, tc.want)
			}
		})
	}
}

// TestInsertFirstFallsBackToUpsert checks the row placement that inserts
// first when the row has no existence register here: a row that is in its
// table all the same (written with the registers lost) gets the merged
// values, and so does one whose register says it is deleted. An app's
// BEFORE INSERT trigger runs once for the row, not once per statement.
func TestInsertFirstFallsBackToUpsert(t *testing.T) {
	for _, tc := range []struct {
		name, lose string
		appTrigger bool
	}{
		{"no register", `DELETE FROM capture_keyed_registers WHERE key = (SELECT key FROM capture_entities WHERE entity_id = 'r1')`, false},
		{"dead register", `UPDATE capture_keyed_registers SET tombstone = 1, hlc = 1 WHERE key = (SELECT key FROM capture_entities WHERE entity_id = 'r1') AND field_name = ''`, false},
		{"no register, app trigger", `DELETE FROM capture_keyed_registers WHERE key = (SELECT key FROM capture_entities WHERE entity_id = 'r1')`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newDevice(t, "a", schema.Desktop), newDevice(t, "b", schema.Desktop)
			pairAll(t, a, b)
			b.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'old', 'd', 'd')`)
			b.exec(t, tc.lose)
			b.exec(t, `CREATE TABLE audit (id TEXT)`)
			if tc.appTrigger {
				b.exec(t, `CREATE TRIGGER audit_releases BEFORE INSERT ON discovery_releases BEGIN INSERT INTO audit VALUES (NEW.id); END`)
			}
			later()
			a.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'new', 'd2', 'd2')`)
			res := b.apply(t, a.export(t, b, true))
			if res.Won != res.Records {
				t.Fatalf("%d of %d records won", res.Won, res.Records)
			}
			got := sqlitetest.Rows(t, b.e.Conn(), `SELECT title, date_added FROM discovery_releases WHERE id = 'r1'`)
			if len(got) != 1 || got[0][0] != `"new"` || got[0][1] != `"d2"` {
				t.Errorf("r1 after the apply = %v, want one row with title new, date_added d2", got)
			}
			want := int64(0)
			if tc.appTrigger {
				want = 1
			}
			if n := sqlitetest.Int(t, b.e.Conn(), `SELECT count(*) FROM audit`); n != want {
				t.Errorf("BEFORE INSERT trigger ran %d times for the merged row, want %d", n, want)
			}
		})
	}
}

// TestNamesWrittenIntoStatements syncs a column whose name needs quoting
// (the log and register statements carry synced names as SQL literals),
// and a column of a newer peer's schema (which they take as arguments).
func TestNamesWrittenIntoStatements(t *testing.T) {
	a, b := newDevice(t, "a", schema.Desktop), newDevice(t, "b", schema.Desktop)
	for _, d := range []*device{a, b} {
		d.exec(t, `ALTER TABLE tag_categories ADD COLUMN "it's ""x""" TEXT`)
	}
	a.exec(t, `ALTER TABLE tag_categories ADD COLUMN newer TEXT`)
	for _, d := range []*device{a, b} {
		if _, err := d.e.Install(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	pairAll(t, a, b)
	a.exec(t, `INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood')`)
	syncTo(t, a, b)
	a.exec(t, `UPDATE tag_categories SET "it's ""x""" = 'quoted', newer = 'later'`)
	syncTo(t, a, b)
	if got := sqlitetest.Rows(t, b.e.Conn(), `SELECT "it's ""x""" FROM tag_categories`); len(got) != 1 || got[0][0] != `"quoted"` {
		t.Errorf("quoted column on b = %v, want quoted", got)
	}
	n := sqlitetest.Int(t, b.e.Conn(), `SELECT count(*) FROM field_timestamps WHERE entity_id = 'c1' AND field_name = 'it''s "x"'`)
	if n != 1 {
		t.Errorf("registers of the quoted column on b = %d, want 1", n)
	}
	if n := sqlitetest.Int(t, b.e.Conn(), `SELECT count(*) FROM parked_values WHERE field_name = 'newer' AND value = 'later'`); n != 1 {
		t.Errorf("parked values of the newer column on b = %d, want 1", n)
	}
}

// TestRowStatementsBounded writes rows through more distinct row-writing
// statements than maxRowStatements: all are written, and no more than the
// bound stay prepared.
func TestRowStatementsBounded(t *testing.T) {
	old := maxRowStatements
	maxRowStatements = 2
	defer func() { maxRowStatements = old }()

	d := newDevice(t, "d", schema.Desktop)
	d.exec(t, `BEGIN`)
	defer d.exec(t, `ROLLBACK`)
	a, err := newApplier(d.e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	cols := []string{"", ", sort_order", ", color", ", sort_order, color", ", color, sort_order"}
	for i, c := range cols {
		marks := strings.Repeat(", ?", strings.Count(c, ","))
		args := []any{fmt.Sprintf("c%d", i), fmt.Sprintf("category %d", i)}
		for k := range strings.Count(c, ",") {
			args = append(args, int64(k))
		}
		if err := a.execRow(`INSERT INTO tag_categories (id, name`+c+`) VALUES (?, ?`+marks+`)`, args...); err != nil {
			t.Fatalf("statement %d: %v", i, err)
		}
		if len(a.rowStmts) > maxRowStatements {
			t.Fatalf("%d row statements prepared, bound %d", len(a.rowStmts), maxRowStatements)
		}
	}
	if n := sqlitetest.Int(t, d.e.Conn(), `SELECT count(*) FROM tag_categories`); n != int64(len(cols)) {
		t.Errorf("%d rows written, want %d", n, len(cols))
	}
}
