package lww

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/schema"
)

// TestParkedIsReported: values parked for each reason are counted under
// it (capture.Engine.Parked, which capturectl status shows).
func TestParkedIsReported(t *testing.T) {
	desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
	pairAll(t, desk, phone)
	desk.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'One', 'd', 'd');
		INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r2', 'u2', 'Two', 'd', 'd')`)
	syncTo(t, desk, phone)
	h := headerFrom(t, desk, phone)
	origin := desk.e.NodeID()
	now := int64(capture.HLCAt(time.Now()))
	row := func(table string, id any, hlc int64, cols ...changeset.Column) changeset.Record {
		return changeset.Record{Kind: changeset.Row, Table: table, Entity: id, Alive: true, Row: cols, HLC: hlc, Origin: origin, Seq: 1}
	}
	col := func(name string, v any) changeset.Column { return changeset.Column{Name: name, Value: v} }
	phone.apply(t, craft(t, h,
		// a track of a release that is not here
		row("discovery_tracks", "t1", now, col("id", "t1"), col("release_id", "r9"), col("name", "x"), col("position", int64(1))),
		// a field of a row that is not here
		fieldRec("discovery_releases", "r8", "notes", "n", now, origin),
		// a field written after its row's delete
		changeset.Record{Kind: changeset.Row, Table: "discovery_releases", Entity: "r2", HLC: now, Origin: origin, Seq: 1},
		fieldRec("discovery_releases", "r2", "notes", "after", now+1, origin),
		// a table and a column of a newer schema
		fieldRec("future_things", "f1", "name", "n", now, origin),
		fieldRec("discovery_releases", "r1", "mood", "calm", now, origin),
	))
	got, err := phone.e.Parked(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []capture.ParkedGroup{
		{Table: "discovery_releases", Reason: capture.ParkedColumn, Values: 1, Entities: 1},
		{Table: "discovery_releases", Reason: capture.ParkedDeleted, Values: 1, Entities: 1},
		{Table: "discovery_releases", Reason: capture.ParkedNoRow, Values: 1, Entities: 1},
		{Table: "discovery_tracks", Reason: capture.ParkedParent, Values: 4, Entities: 1}, // the key is not parked
		{Table: "future_things", Reason: capture.ParkedTable, Values: 1, Entities: 1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("parked:\n got %v\nwant %v", got, want)
	}
}
