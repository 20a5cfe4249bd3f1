package lww

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/capture-sync/capture/capture/changeset"
)

// Apply reads records into batches and applies each batch sorted by entity:
// the rows, the registers and the change log are then visited in key order
// rather than in the sender's order, which for a changeset of edits made
// all over a table turns a random walk over the b-trees (a page read and a
// page written per record once the tables outgrow the page cache) into one
// sweep. The outcome does not depend on the order (the merge is order-
// independent), and a batch bounds the memory it takes.
//
// batchRecords and batchBytes bound a batch: whichever is reached first ends
// it. (Variables so that tests can make batches small.)
var (
	batchRecords = 1 << 15
	batchBytes   = 8 << 20
)

// batched is a record and its position in the changeset (from 1).
type batched struct {
	rec changeset.Record
	pos int
}

// batch is the records read and not yet applied.
type batch struct {
	items []batched
	bytes int
	// tables ranks the tables by their first appearance in the batch, so
	// sorting keeps the sender's table order (a snapshot sends parents
	// before children).
	tables map[string]int
}

func (b *batch) add(rec changeset.Record, pos int) {
	if b.tables == nil {
		b.tables = map[string]int{}
	}
	if _, ok := b.tables[rec.Table]; !ok {
		b.tables[rec.Table] = len(b.tables)
	}
	b.items = append(b.items, batched{rec: rec, pos: pos})
	b.bytes += recordSize(rec)
}

func (b *batch) full() bool { return len(b.items) >= batchRecords || b.bytes >= batchBytes }

// sort orders the batch by table (first appearance), entity, row records
// before field records, then position.
func (b *batch) sort() {
	slices.SortFunc(b.items, func(x, y batched) int {
		if c := cmp.Compare(b.tables[x.rec.Table], b.tables[y.rec.Table]); c != 0 {
			return c
		}
		if c := compareEntities(x.rec.Entity, y.rec.Entity); c != 0 {
			return c
		}
		if x.rec.Kind != y.rec.Kind {
			if x.rec.Kind == changeset.Row {
				return -1
			}
			return 1
		}
		return cmp.Compare(x.pos, y.pos)
	})
}

func (b *batch) reset() {
	clear(b.items) // drop the values for the collector
	b.items, b.bytes = b.items[:0], 0
	clear(b.tables)
}

// compareEntities orders entity ids as SQLite orders values: numbers, then
// text, then blobs. An id of any other type (refused later by validation)
// sorts last.
func compareEntities(x, y any) int {
	if c := cmp.Compare(entityClass(x), entityClass(y)); c != 0 {
		return c
	}
	switch a := x.(type) {
	case int64:
		switch b := y.(type) {
		case int64:
			return cmp.Compare(a, b)
		case float64:
			return -compareFloatInt(b, a)
		}
	case float64:
		switch b := y.(type) {
		case int64:
			return compareFloatInt(a, b)
		case float64:
			return cmp.Compare(a, b)
		}
	case string:
		return strings.Compare(a, y.(string))
	case []byte:
		return bytes.Compare(a, y.([]byte))
	}
	return 0
}

func entityClass(v any) int {
	switch v.(type) {
	case int64, float64:
		return 0
	case string:
		return 1
	case []byte:
		return 2
	}
	return 3
}

// compareFloatInt compares a float with an integer without losing the
// integer's precision.
func compareFloatInt(f float64, i int64) int {
	switch {
	case math.IsNaN(f):
		return -1
	case f < -(1 << 63):
		return -1
	case f >= 1<<63:
		return 1
	}
	t := math.Trunc(f)
	if c := cmp.Compare(int64(t), i); c != 0 {
		return c
	}
	return cmp.Compare(f, t) // the fraction decides
}

// recordSize estimates the memory a record holds.
func recordSize(rec changeset.Record) int {
	n := 96 + len(rec.Table) + len(rec.Field) + len(rec.Origin) + valueSize(rec.Entity) + valueSize(rec.Value)
	for _, c := range rec.Row {
		n += 32 + len(c.Name) + valueSize(c.Value)
	}
	return n
}

func valueSize(v any) int {
	switch v := v.(type) {
	case string:
		return len(v)
	case []byte:
		return len(v)
	}
	return 8
}
