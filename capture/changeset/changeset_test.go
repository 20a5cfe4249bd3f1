package changeset

import (
	"bytes"
	"errors"
	"io"
	"math"
	"reflect"
	"runtime"
	"testing"
)

// edgeValues are values of every type at their edges.
var edgeValues = []any{
	nil,
	int64(0), int64(1), int64(-1), int64(math.MaxInt64), int64(math.MinInt64),
	0.0, math.Copysign(0, -1), math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64,
	math.Inf(1), math.Inf(-1), 0.1 + 0.2, 1e308,
	"", "text", "it's \"quoted\"", "\x00nul\x00", "\xff\xfe invalid utf-8", "é ü 日本",
	[]byte{}, []byte{0}, []byte{0xff, 0, 1}, bytes.Repeat([]byte{7}, 70000),
}

func sampleHeader() Header {
	return Header{Origin: "0123456789abcdef", To: "fedcba9876543210", SchemaVersion: 3, Fingerprint: "abcd",
		Tables:  []Table{{Name: "t", Key: []string{"id"}, Columns: []string{"a", "b"}}, {Name: "u", Key: []string{"x", "y"}}},
		UpToSeq: 42, Ack: 7, UpToHLC: 1 << 40, Checks: []Check{{3, 99}, {7, 1 << 41}}, Confirmed: []Check{{2, 98}}, Witness: []Witness{{"3333333333333333", Check{9, 1 << 42}}}, Former: []string{"1111111111111111", "2222222222222222"}}
}

func sampleRecords() []Record {
	var recs []Record
	for i, v := range edgeValues {
		recs = append(recs, Record{Kind: Field, Table: "t", Entity: v, Field: "a", Value: v, HasValue: true,
			HLC: int64(i) << 16, Origin: "0123456789abcdef", Seq: int64(i)})
	}
	recs = append(recs,
		Record{Kind: Field, Table: "t", Entity: "e", Field: "b", HLC: math.MaxInt64, Origin: "x", Seq: math.MaxInt64},
		Record{Kind: Row, Table: "u", Entity: "'a',1", Alive: false, HLC: 5, Origin: "y", Seq: 8},
		Record{Kind: Row, Table: "t", Entity: int64(9), Alive: true, Row: []Column{{"id", int64(9)}, {"a", "x"}, {"b", nil}}, HLC: 6, Origin: "y", Seq: 9},
	)
	return recs
}

func encode(t testing.TB, h Header, recs []Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decode(data []byte) (Header, []Record, error) {
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		return Header{}, nil, err
	}
	var recs []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return r.Header(), recs, nil
		}
		if err != nil {
			return r.Header(), recs, err
		}
		recs = append(recs, rec)
	}
}

func TestRoundTripEdgeValues(t *testing.T) {
	h, recs := sampleHeader(), sampleRecords()
	gotH, got, err := decode(encode(t, h, recs))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotH, h) {
		t.Errorf("header: got %+v, want %+v", gotH, h)
	}
	if len(got) != len(recs) {
		t.Fatalf("%d records, want %d", len(got), len(recs))
	}
	for i := range recs {
		if !reflect.DeepEqual(got[i], recs[i]) {
			t.Errorf("record %d: got %#v, want %#v", i, got[i], recs[i])
		}
		// Floats bit for bit (DeepEqual treats 0 and -0 alike).
		if f, ok := recs[i].Value.(float64); ok && math.Float64bits(f) != math.Float64bits(got[i].Value.(float64)) {
			t.Errorf("record %d: float bits differ", i)
		}
		// TEXT stays TEXT and BLOB stays BLOB.
		if reflect.TypeOf(got[i].Value) != reflect.TypeOf(recs[i].Value) {
			t.Errorf("record %d: type %T, want %T", i, got[i].Value, recs[i].Value)
		}
	}
}

func TestWriterRefuses(t *testing.T) {
	tests := []struct {
		name string
		rec  Record
		want error
	}{
		{"NaN", Record{Kind: Field, Table: "t", Entity: int64(1), Field: "a", HasValue: true, Value: math.NaN()}, ErrValue},
		{"Go type", Record{Kind: Field, Table: "t", Entity: int64(1), Field: "a", HasValue: true, Value: struct{}{}}, ErrValue},
		{"kind", Record{Kind: 9, Table: "t"}, ErrValue},
		{"long name", Record{Kind: Field, Table: string(make([]byte, MaxNameLen+1)), Entity: int64(1)}, ErrLimit},
		{"wide row", Record{Kind: Row, Table: "t", Entity: int64(1), Alive: true, Row: make([]Column, MaxColumns+1)}, ErrLimit},
	}
	for _, tc := range tests {
		w, err := NewWriter(io.Discard, Header{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(tc.rec); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestDamageIsDetected: every truncation and every flipped byte of a valid
// changeset gives an error, never a different set of records.
func TestDamageIsDetected(t *testing.T) {
	data := encode(t, sampleHeader(), sampleRecords()[:6])
	for n := 0; n < len(data); n++ {
		if _, _, err := decode(data[:n]); !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrLimit) {
			t.Fatalf("truncated to %d of %d bytes: %v", n, len(data), err)
		}
	}
	for i := range data {
		bad := bytes.Clone(data)
		bad[i] ^= 0x41
		if _, _, err := decode(bad); err == nil {
			t.Fatalf("flipping byte %d went unnoticed", i)
		}
	}
	bad := bytes.Clone(data)
	bad[len(magic)] = 9 // format version
	if _, _, err := decode(bad); !errors.Is(err, ErrVersion) {
		t.Errorf("wrong version: %v", err)
	}
	if _, _, err := decode([]byte("not a changeset at all")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("garbage: %v", err)
	}
}

// TestMillionRecordsStreamInFlatMemory writes a million records through a
// pipe to a reader and checks the heap stays small throughout.
func TestMillionRecordsStreamInFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const n = 1_000_000
	pr, pw := io.Pipe()
	go func() {
		w, err := NewWriter(pw, sampleHeader())
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		for i := 0; i < n; i++ {
			rec := Record{Kind: Field, Table: "discovery_releases", Entity: "0b6f6a8e-8d1a-4f7e-9c55-3f3c1d2e4a5b", Field: "notes",
				Value: "some notes about the release, long enough to matter", HasValue: true, HLC: int64(i) << 16, Origin: "0123456789abcdef", Seq: int64(i)}
			if err := w.Write(rec); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(w.Close())
	}()
	r, err := NewReader(pr)
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	var ms runtime.MemStats
	count := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
		if count%100_000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	if count != n {
		t.Fatalf("read %d records", count)
	}
	t.Logf("peak heap in use while streaming %d records: %.1f MB", n, float64(peak)/1e6)
	if peak > 64<<20 {
		t.Errorf("heap grew to %d bytes streaming a changeset", peak)
	}
}

func FuzzReader(f *testing.F) {
	f.Add(encode(f, sampleHeader(), sampleRecords()))
	f.Add(encode(f, Header{}, nil))
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, recs, err := decode(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrLimit) && !errors.Is(err, ErrVersion) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		// What reads back writes back to the same records.
		_, again, err := decode(encode(t, h, recs))
		if err != nil || len(again) != len(recs) {
			t.Fatalf("re-encoding: %v (%d vs %d records)", err, len(again), len(recs))
		}
	})
}
