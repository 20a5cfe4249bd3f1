package lww

import (
	"cmp"
	"slices"

	"github.com/capture-sync/capture/capture"
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
// it. The first batch holds at most firstBatchRecords, and each next one
// up to four times as many as the one before, up to batchRecords: the
// apply waits for the first batch to be read and sorted, and no longer
// than it takes for a small one. (Variables so that tests can make batches
// small.)
var (
	batchRecords      = 1 << 15
	batchBytes        = 8 << 20
	firstBatchRecords = 1 << 10
)

// batchLimit returns the record limit of batch number n (from 0).
func batchLimit(n int) int {
	limit := min(firstBatchRecords, batchRecords)
	for ; n > 0 && limit < batchRecords; n-- {
		limit *= 4
	}
	return min(limit, batchRecords)
}

// batched is a record and its position in the changeset (from 1).
type batched struct {
	rec changeset.Record
	pos int
}

// batch is the records read and not yet applied.
type batch struct {
	items []batched
	bytes int
	limit int // records (batchLimit)
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

func (b *batch) full() bool { return len(b.items) >= b.limit || b.bytes >= batchBytes }

// sort orders the batch by table (first appearance), entity, row records
// before field records, then position.
func (b *batch) sort() {
	slices.SortFunc(b.items, func(x, y batched) int {
		if c := cmp.Compare(b.tables[x.rec.Table], b.tables[y.rec.Table]); c != 0 {
			return c
		}
		if c := capture.CompareEntityIDs(x.rec.Entity, y.rec.Entity); c != 0 {
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
