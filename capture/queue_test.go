package capture

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

func collect(t testing.TB, e *Engine, f Filter) []Change {
	t.Helper()
	var out []Change
	for c, err := range e.Changes(context.Background(), f) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func TestChangesFilters(t *testing.T) {
	e, _ := openEngine(t, schema.Mobile)
	sqlitetest.Exec(t, e.Conn(), edits)
	all := collect(t, e, Filter{})
	notes := "notes"
	tests := []struct {
		name string
		f    Filter
		keep func(Change) bool
	}{
		{"table", Filter{Table: "tags"}, func(c Change) bool { return c.Table == "tags" }},
		{"entity", Filter{Entity: "r2"}, func(c Change) bool { return c.EntityID == "r2" }},
		{"field", Filter{Field: &notes}, func(c Change) bool { return c.Field == "notes" }},
		{"origin", Filter{Origin: e.NodeID()}, func(c Change) bool { return true }},
		{"other origin", Filter{Origin: "0000000000000001"}, func(c Change) bool { return false }},
		{"seq range", Filter{AfterSeq: 3, UpToSeq: 6}, func(c Change) bool { return c.Seq > 3 && c.Seq <= 6 }},
		{"time", Filter{Since: all[0].HLC.Time(), Until: time.Now().Add(time.Hour)}, func(c Change) bool { return true }},
		{"future", Filter{Since: time.Now().Add(time.Hour)}, func(c Change) bool { return false }},
	}
	for _, tc := range tests {
		got := collect(t, e, tc.f)
		var want []Change
		for _, c := range all {
			if tc.keep(c) {
				want = append(want, c)
			}
		}
		if len(got) != len(want) || (len(got) > 0 && got[0].Seq != want[0].Seq) {
			t.Errorf("%s: %d changes, want %d", tc.name, len(got), len(want))
		}
	}
	newest := collect(t, e, Filter{Newest: true, Limit: 2})
	if len(newest) != 2 || newest[0].Seq != all[len(all)-1].Seq {
		t.Errorf("newest first: %+v", newest)
	}
	for _, c := range all {
		if c.Origin != e.NodeID() {
			t.Fatalf("captured change with origin %q", c.Origin)
		}
	}
	if c := all[0]; c.Table != "tag_categories" || c.Op != OpInsert || c.Field != "" || c.Op.String() != "insert" {
		t.Errorf("first change: %+v", c)
	}
}

func TestAckAndPrune(t *testing.T) {
	ctx := context.Background()
	e, _ := openEngine(t, schema.Desktop)
	c := e.Conn()
	sqlitetest.Exec(t, c, edits)
	last, _ := e.LastSeq(ctx)

	// No paired device: nothing is pruned.
	if n, err := e.Prune(ctx); err != nil || n != 0 {
		t.Fatalf("prune without devices: %d %v", n, err)
	}
	for _, id := range []string{"aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"} {
		if err := e.Pair(ctx, Device{ID: id, Name: id[:1], Platform: "ios"}, []byte("token-"+id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Pair(ctx, Device{ID: e.NodeID()}, nil); !errors.Is(err, ErrSelf) {
		t.Errorf("pairing with itself: %v", err)
	}
	if err := e.CheckToken(ctx, "aaaaaaaaaaaaaaaa", []byte("token-aaaaaaaaaaaaaaaa")); err != nil {
		t.Error(err)
	}
	if err := e.CheckToken(ctx, "aaaaaaaaaaaaaaaa", []byte("wrong")); !errors.Is(err, ErrBadToken) {
		t.Errorf("bad token: %v", err)
	}

	pending := func(peer string) int {
		n := 0
		for _, err := range e.Pending(ctx, peer) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	if n := pending("aaaaaaaaaaaaaaaa"); int64(n) != last {
		t.Fatalf("pending %d, want %d", n, last)
	}
	if err := e.Ack(ctx, "aaaaaaaaaaaaaaaa", last+1); !errors.Is(err, ErrAckBeyond) {
		t.Errorf("ack beyond: %v", err)
	}
	if err := e.Ack(ctx, "cccccccccccccccc", 1); !errors.Is(err, ErrUnknownDevice) {
		t.Errorf("ack for unknown: %v", err)
	}
	if err := e.Ack(ctx, "aaaaaaaaaaaaaaaa", last); err != nil {
		t.Fatal(err)
	}
	if err := e.Ack(ctx, "aaaaaaaaaaaaaaaa", 2); err != nil { // cursors never go back
		t.Fatal(err)
	}
	if n := pending("aaaaaaaaaaaaaaaa"); n != 0 {
		t.Errorf("pending after ack: %d", n)
	}
	if err := e.Ack(ctx, "bbbbbbbbbbbbbbbb", 5); err != nil {
		t.Fatal(err)
	}

	// Only what both acknowledged goes.
	n, err := e.Prune(ctx)
	if err != nil || n != 5 {
		t.Fatalf("prune: %d %v, want 5", n, err)
	}
	if got := pending("bbbbbbbbbbbbbbbb"); int64(got) != last-5 {
		t.Errorf("b lost unacknowledged changes: %d pending, want %d", got, last-5)
	}
	// Everything acknowledged: all but the newest go; the clock holds.
	lastHLC := collect(t, e, Filter{Newest: true, Limit: 1})[0].HLC
	if err := e.Ack(ctx, "bbbbbbbbbbbbbbbb", last); err != nil {
		t.Fatal(err)
	}
	if n, err := e.Prune(ctx); err != nil || n != last-6 {
		t.Fatalf("second prune: %d %v, want %d", n, err, last-6)
	}
	if rest := collect(t, e, Filter{}); len(rest) != 1 || rest[0].Seq != last {
		t.Fatalf("after prune: %+v", rest)
	}
	sqlitetest.Exec(t, c, `UPDATE settings SET value = 'after prune' WHERE key = 'theme'`)
	after := collect(t, e, Filter{Newest: true, Limit: 1})[0]
	if after.Seq != last+1 || after.HLC <= lastHLC {
		t.Errorf("after prune: seq %d hlc %s, want %d and above %s", after.Seq, after.HLC, last+1, lastHLC)
	}

	devs, err := e.Devices(ctx)
	if err != nil || len(devs) != 2 || devs[0].AckedSeq != last || devs[0].LastSeen.IsZero() {
		t.Errorf("devices: %+v %v", devs, err)
	}
	if err := e.Unpair(ctx, "aaaaaaaaaaaaaaaa"); err != nil {
		t.Fatal(err)
	}
	if err := e.Unpair(ctx, "aaaaaaaaaaaaaaaa"); !errors.Is(err, ErrUnknownDevice) {
		t.Errorf("second unpair: %v", err)
	}
	for _, err := range e.Pending(ctx, "aaaaaaaaaaaaaaaa") {
		if !errors.Is(err, ErrUnknownDevice) {
			t.Errorf("pending for unpaired: %v", err)
		}
	}
}

// TestPruneNeverRemovesUnacknowledged checks the promise over many random
// cursor positions.
func TestPruneNeverRemovesUnacknowledged(t *testing.T) {
	ctx := context.Background()
	e, _ := openEngine(t, schema.Desktop)
	c := e.Conn()
	peers := []string{"1111111111111111", "2222222222222222", "3333333333333333"}
	for _, p := range peers {
		if err := e.Pair(ctx, Device{ID: p}, nil); err != nil {
			t.Fatal(err)
		}
	}
	sqlitetest.Exec(t, c, `INSERT INTO settings VALUES ('k', '0')`)
	for round := int64(1); round <= 30; round++ {
		for i := 0; i < 7; i++ {
			sqlitetest.Exec(t, c, `UPDATE settings SET value = value + 1`)
		}
		last, _ := e.LastSeq(ctx)
		for i, p := range peers {
			if err := e.Ack(ctx, p, (last*int64(i+1)*round)%(last+1)); err != nil {
				t.Fatal(err)
			}
		}
		devs, _ := e.Devices(ctx)
		counts := map[string]int{}
		for _, d := range devs {
			for _, err := range e.Pending(ctx, d.ID) {
				if err != nil {
					t.Fatal(err)
				}
				counts[d.ID]++
			}
		}
		if _, err := e.Prune(ctx); err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			n := 0
			for range e.Pending(ctx, d.ID) {
				n++
			}
			if n != counts[d.ID] {
				t.Fatalf("round %d: prune removed %d changes %s had not acknowledged", round, counts[d.ID]-n, d.ID)
			}
		}
	}
}
