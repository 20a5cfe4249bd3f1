package lww

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// craft writes a changeset with the given header and records.
func craft(t testing.TB, h changeset.Header, recs ...changeset.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := changeset.NewWriter(&buf, h)
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

func fieldRec(table string, entity any, field string, value any, hlc int64, origin string) changeset.Record {
	return changeset.Record{Kind: changeset.Field, Table: table, Entity: entity, Field: field, Value: value, HasValue: true,
		HLC: hlc, Origin: origin, Seq: 1}
}

// TestBadInputChangesNothing: every kind of bad changeset is refused with a
// clear error and leaves the database exactly as it was.
func TestBadInputChangesNothing(t *testing.T) {
	phone, desk := newDevice(t, "phone", schema.Mobile), newDevice(t, "desktop", schema.Desktop)
	pairAll(t, phone, desk)
	desk.exec(t, seedRelease)
	phone.apply(t, desk.export(t, phone, true))
	peer, self := desk.e.NodeID(), phone.e.NodeID()
	now := int64(capture.HLCAt(time.Now()))
	h := changeset.Header{Origin: peer, To: self}
	good := fieldRec("discovery_releases", "r1", "notes", "fine", now, peer)
	valid := craft(t, h, good)

	flipped := bytes.Clone(valid)
	flipped[len(flipped)-10] ^= 0xff
	version := bytes.Clone(valid)
	version[8] = 3
	kind := bytes.Clone(valid)
	// The first record's kind byte follows the header; find it by writing
	// a header alone.
	kind[len(craft(t, h))-len("\x00\x00")-4] = 9

	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"truncated", valid[:len(valid)-3], changeset.ErrTruncated},
		{"corrupt", flipped, changeset.ErrCorrupt},
		{"wrong format version", version, changeset.ErrVersion},
		{"unknown operation", kind, changeset.ErrCorrupt},
		{"not a changeset", []byte("hello"), changeset.ErrTruncated},
		{"own changeset", craft(t, changeset.Header{Origin: self}, good), ErrOwnChangeset},
		{"addressed to another device", craft(t, changeset.Header{Origin: peer, To: "0000000000000000"}, good), ErrNotForThisDevice},
		{"unpaired origin", craft(t, changeset.Header{Origin: "9999999999999999"}, good), capture.ErrUnknownDevice},
		{"desktop-only table on a phone", craft(t, h, good, fieldRec("tracks", "x", "title", "t", now, peer)), ErrNotSynced},
		{"cache table", craft(t, h, good, fieldRec("discovery_stream_cache", "'r1',1", "stream_url", "s", now, peer)), ErrNotSynced},
		{"engine table", craft(t, h, good, fieldRec("sync_state", int64(1), "node_id", "x", now, peer)), ErrNotSynced},
		{"field_timestamps", craft(t, h, good, fieldRec("field_timestamps", "x", "hlc", int64(1), now, peer)), ErrNotSynced},
		{"parked_values", craft(t, h, good, fieldRec("parked_values", "x", "value", int64(1), now, peer)), ErrNotSynced},
		{"device-local setting", craft(t, h, good, fieldRec("settings", "window_state", "value", "x", now, peer)), ErrNotSynced},
		{"key column as a field", craft(t, h, good, fieldRec("discovery_releases", "r1", "id", "r2", now, peer)), ErrBadRecord},
		{"composite id of the wrong shape", craft(t, h, good, fieldRec("discovery_release_tags", "r1", "x", "y", now, peer)), ErrBadRecord},
		{"NULL entity id", craft(t, h, good, fieldRec("discovery_releases", nil, "notes", "n", now, peer)), ErrBadRecord},
		{"NULL in a NOT NULL column", craft(t, h, good, fieldRec("discovery_tracks", "t1", "name", nil, now, peer)), ErrBadRecord},
		// Refused even where the value would only be parked: placed later,
		// it would fail the Apply that brings its row.
		{"NULL in a NOT NULL column of a row not here", craft(t, h, good, fieldRec("discovery_tracks", "t-none", "name", nil, now, peer)), ErrBadRecord},
		{"NULL in a NOT NULL column of a row", craft(t, h, good, changeset.Record{Kind: changeset.Row, Table: "tags", Entity: "g9", Alive: true,
			Row: []changeset.Column{{Name: "id", Value: "g9"}, {Name: "category_id", Value: "c1"}, {Name: "name", Value: nil}}, HLC: now, Origin: peer}), ErrBadRecord},
		{"row whose key disagrees", craft(t, h, good, changeset.Record{Kind: changeset.Row, Table: "tags", Entity: "g9", Alive: true,
			Row: []changeset.Column{{Name: "id", Value: "g8"}, {Name: "category_id", Value: "c1"}, {Name: "name", Value: "n"}}, HLC: now, Origin: peer}), ErrBadRecord},
		{"missing origin", craft(t, h, good, fieldRec("discovery_releases", "r1", "notes", "n", now, "")), ErrBadRecord},
		// Aliases (identity merges) point from an id to a smaller one of a
		// table with a natural key, so that they never make a cycle.
		{"alias to a greater id", craft(t, h, good, fieldRec("discovery_releases", "r1", schema.AliasField, "r2", now, peer)), ErrBadRecord},
		{"alias to itself", craft(t, h, good, fieldRec("discovery_releases", "r1", schema.AliasField, "r1", now, peer)), ErrBadRecord},
		{"a cycle of aliases", craft(t, h, good, fieldRec("discovery_releases", "r2", schema.AliasField, "r1", now, peer),
			fieldRec("discovery_releases", "r1", schema.AliasField, "r2", now, peer)), ErrBadRecord},
		{"alias without its survivor", craft(t, h, good, changeset.Record{Kind: changeset.Field, Table: "discovery_releases", Entity: "r2",
			Field: schema.AliasField, HLC: now, Origin: peer}), ErrBadRecord},
		{"alias to NULL", craft(t, h, good, fieldRec("discovery_releases", "r2", schema.AliasField, nil, now, peer)), ErrBadRecord},
		{"alias in a table without a natural key", craft(t, h, good, fieldRec("discovery_tracks", "t2", schema.AliasField, "t1", now, peer)), ErrBadRecord},
		{"alias of a composite id of the wrong shape", craft(t, h, good, fieldRec("discovery_release_tags", "'r2','g1'", schema.AliasField, "r1", now, peer)), ErrBadRecord},
		{"alias in an engine table", craft(t, h, good, fieldRec("field_timestamps", "b", schema.AliasField, "a", now, peer)), ErrNotSynced},
		{"alias in entity_aliases", craft(t, h, good, fieldRec("entity_aliases", "b", "survivor", "a", now, peer)), ErrNotSynced},
		{"a column named like alias registers", craft(t, h, good, changeset.Record{Kind: changeset.Row, Table: "tags", Entity: "g9", Alive: true,
			Row: []changeset.Column{{Name: "id", Value: "g9"}, {Name: "category_id", Value: "c1"}, {Name: "name", Value: "n"}, {Name: schema.AliasField, Value: "g1"}},
			HLC: now, Origin: peer}), ErrBadRecord},
		{"far-future stamp", craft(t, h, good, fieldRec("discovery_releases", "r1", "notes", "n", int64(capture.HLCAt(time.Now().Add(time.Hour))), peer)), capture.ErrClockDrift},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := sqlitetest.Dump(t, phone.e.Conn())
			_, err := Apply(context.Background(), phone.e, bytes.NewReader(tc.data), Options{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if after := sqlitetest.Dump(t, phone.e.Conn()); after != before {
				t.Errorf("a refused changeset changed the database:\n%s", diffLines(before, after))
			}
		})
	}
	// The valid one applies after all that.
	phone.apply(t, valid)
	if got := query(t, phone, `SELECT notes FROM discovery_releases`)[0][0]; got != `"fine"` {
		t.Errorf("notes = %s", got)
	}
	checkIntegrity(t, phone)
}

// TestHostileNamesAndValues: names and values built to inject SQL are data,
// never SQL.
func TestHostileNamesAndValues(t *testing.T) {
	phone, desk := newDevice(t, "phone", schema.Mobile), newDevice(t, "desktop", schema.Desktop)
	pairAll(t, phone, desk)
	desk.exec(t, seedRelease)
	phone.apply(t, desk.export(t, phone, true))
	peer := desk.e.NodeID()
	now := int64(capture.HLCAt(time.Now()))
	evil := `x'); DROP TABLE discovery_releases; --`
	res := phone.apply(t, craft(t, changeset.Header{Origin: peer},
		fieldRec("discovery_releases", "r1", "notes", evil, now, peer),
		fieldRec("discovery_releases", evil, "notes", evil, now, peer),
		fieldRec(`t"; DROP TABLE tags; --`, evil, `c"; DROP TABLE tags; --`, evil, now, peer),
		fieldRec("discovery_releases", "r1", `notes" = 'x'; DROP TABLE tags; --`, evil, now, peer),
	))
	if res.Won != 4 || res.Parked != 3 {
		t.Errorf("result %+v", res)
	}
	if got := query(t, phone, `SELECT notes FROM discovery_releases WHERE id = 'r1'`)[0][0]; got != `"`+evil+`"` {
		t.Errorf("notes = %s", got)
	}
	if n := query(t, phone, `SELECT count(*) FROM sqlite_schema WHERE name IN ('tags', 'discovery_releases')`)[0][0]; n != "2" {
		t.Error("a table was dropped")
	}
}

// TestValuesRoundTripThroughDatabases: edge values of every type cross from
// one database to another unchanged, type and bytes.
func TestValuesRoundTripThroughDatabases(t *testing.T) {
	desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
	pairAll(t, desk, phone)
	values := []any{nil, int64(0), int64(math.MaxInt64), int64(math.MinInt64), math.Copysign(0, -1), math.MaxFloat64,
		math.SmallestNonzeroFloat64, math.Inf(-1), 0.1 + 0.2, "", "\xff\xfe not utf-8", "nul\x00inside", "日本",
		[]byte{}, []byte{0, 0xff}, bytes.Repeat([]byte("z"), 100000)}
	stmt, _, err := desk.e.Conn().Prepare(`INSERT INTO discovery_releases (id, url, notes, date_added, date_modified) VALUES (?, ?, ?, 'd', 'd')`)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range values {
		id := string(rune('a' + i))
		capture.BindValue(stmt, 1, id)
		capture.BindValue(stmt, 2, "u"+id)
		capture.BindValue(stmt, 3, v)
		if err := stmt.Exec(); err != nil {
			t.Fatal(err)
		}
		stmt.Reset()
	}
	stmt.Close()
	desk.exec(t, `UPDATE discovery_releases SET artist = notes`) // the same values as field changes
	phone.apply(t, desk.export(t, phone, false))
	q := `SELECT id, typeof(notes), hex(notes), typeof(artist), hex(artist) FROM discovery_releases ORDER BY id`
	if a, b := query(t, desk, q), query(t, phone, q); len(a) != len(values) || !equalRows(a, b) {
		t.Errorf("values differ:\n%v\n%v", a, b)
	}
	// (TEXT affinity turns numbers in notes into text on both sides alike;
	// the changeset tests check floats bit for bit.)
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}
