package capture

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

var pairTable = schema.TableInfo{Name: "pairs", Key: []schema.Column{{Name: "a"}, {Name: "b"}}}

func TestEntityIDRoundTrip(t *testing.T) {
	conn := sqlitetest.Open(t, "e.db")
	keys := [][]any{
		{"r1", "g1"},
		{"it's", "a,b"},
		{"", "''"},
		{int64(-42), int64(math.MaxInt64)},
		{int64(math.MinInt64), "x"},
		{[]byte{0, 1, 0xff}, []byte{}},
		{1.5, -0.25},
		{math.Inf(1), math.Inf(-1)},
		{"\xff\xfe invalid utf-8", "é"},
		{0.1 + 0.2, 1e-300},
	}
	for _, key := range keys {
		id, err := EntityID(conn, pairTable, key)
		if err != nil {
			t.Fatal(err)
		}
		back, err := EntityKey(pairTable, id)
		if err != nil {
			t.Fatalf("%v -> %q: %v", key, id, err)
		}
		want := key
		if b, ok := key[1].([]byte); ok && len(b) == 0 {
			want = []any{key[0], []byte{}}
		}
		if !reflect.DeepEqual(back, want) {
			t.Errorf("%v -> %q -> %v", key, id, back)
		}
	}
	single := schema.TableInfo{Name: "t", Key: []schema.Column{{Name: "id"}}}
	if k, err := EntityKey(single, "abc"); err != nil || k[0] != "abc" {
		t.Errorf("single key: %v %v", k, err)
	}
}

func TestEntityKeyRejectsMalformed(t *testing.T) {
	for _, bad := range []any{nil, int64(3), "'a'", "'a','b','c'", "'a',", "'a'x'b'", "'a", "X'zz','b'", "NULL,'b'", "'a',abc", ""} {
		if _, err := EntityKey(pairTable, bad); !errors.Is(err, ErrBadEntityID) {
			t.Errorf("EntityKey(%#v): %v", bad, err)
		}
	}
}

func FuzzEntityKey(f *testing.F) {
	for _, s := range []string{"'r1','g1'", "1,2", "X'00ff','it''s'", "1.5,-2e10", "'a',", "''''"} {
		f.Add(s)
	}
	conn := sqlitetest.Open(f, "fuzz.db")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := EntityKey(pairTable, s)
		if err != nil {
			if !errors.Is(err, ErrBadEntityID) {
				t.Fatalf("error without ErrBadEntityID: %v", err)
			}
			return
		}
		// Whatever parses names a key that encodes back to a parsable id of
		// the same values.
		id, err := EntityID(conn, pairTable, key)
		if err != nil {
			t.Fatal(err)
		}
		again, err := EntityKey(pairTable, id)
		if err != nil || !reflect.DeepEqual(again, key) {
			if f, ok := key[0].(float64); ok && math.IsNaN(f) {
				return
			}
			t.Fatalf("%q -> %v -> %q -> %v (%v)", s, key, id, again, err)
		}
	})
}

func TestCompareEntityIDs(t *testing.T) {
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
		if got := CompareEntityIDs(tc.x, tc.y); got != tc.want {
			t.Errorf("CompareEntityIDs(%#v, %#v) = %d, want %d", tc.x, tc.y, got, tc.want)
		}
	}
}

// TestCompareEntityIDsEquality: equal as SQLite finds entity ids equal.
func TestCompareEntityIDsEquality(t *testing.T) {
	for _, tc := range []struct {
		a, b any
		want bool
	}{
		{int64(1), int64(1), true},
		{int64(1), 1.0, true},
		{1.0, int64(1), true},
		{int64(1), 1.5, false},
		{int64(math.MaxInt64), float64(math.MaxInt64), false}, // 2^63 as a float
		{"1", int64(1), false},
		{"a", "a", true},
		{"a", []byte("a"), false},
		{[]byte("a"), []byte("a"), true},
	} {
		if got := CompareEntityIDs(tc.a, tc.b) == 0; got != tc.want {
			t.Errorf("CompareEntityIDs(%#v, %#v) == 0 is %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
