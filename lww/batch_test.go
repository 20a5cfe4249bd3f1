package lww

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/schema"
)

func TestCompareEntities(t *testing.T) {
	for _, tc := range []struct {
		x, y any
		want int
	}{
		{int64(1), int64(2), -1},
		{int64(2), int64(2), 0},
		{int64(3), 2.5, 1},
		{2.5, int64(3), -1},
		{int64(3), 3.0, 0},
		{3.0, int64(3), 0},
		{int64(math.MaxInt64), float64(math.MaxInt64), -1}, // 2^63 as a float is above every int64
		{math.Inf(-1), int64(math.MinInt64), -1},
		{math.NaN(), int64(0), -1},
		{int64(9), "1", -1}, // numbers before text
		{"b", "a", 1},
		{"z", []byte("a"), -1}, // text before blobs
		{[]byte("a"), []byte("b"), -1},
		{[]byte("a"), true, -1}, // anything else last
	} {
		if got := compareEntities(tc.x, tc.y); got != tc.want {
			t.Errorf("compareEntities(%#v, %#v) = %d, want %d", tc.x, tc.y, got, tc.want)
		}
	}
}

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

// TestApplyInBatches applies one changeset in batches of three records and
// checks that the result, and the order of the decisions, are those of the
// changeset.
func TestApplyInBatches(t *testing.T) {
	old := batchRecords
	batchRecords = 3
	defer func() { batchRecords = old }()

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
