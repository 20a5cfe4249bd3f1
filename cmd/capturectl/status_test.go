package main

import (
	"regexp"
	"testing"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
)

const (
	phone  = "0123456789abcdef"
	tablet = "fedcba9876543210"
)

func TestStatus(t *testing.T) {
	dir := fixtureDB(t, "mobile")
	ok(t, dir, "pair", "--db", "app.db", "--device", phone, "--name", "Anna's iPhone", "--platform", "ios", "--token", "t1")
	ok(t, dir, "pair", "--db", "app.db", "--device", tablet, "--name", "Tab", "--platform", "android", "--token", "t2")
	edit(t, dir, `UPDATE paired_devices SET acked_seq = 10 WHERE device_id = '`+tablet+`'`)

	golden(t, "status", normalise(t, dir, ok(t, dir, "status", "--db", "app.db")))

	var rep statusReport
	okJSON(t, dir, &rep, "status", "--db", "app.db", "--json")
	id, fp := node(t, dir)
	if rep.NodeID != id || rep.Fingerprint != fp || rep.Profile != "mobile" || rep.SchemaVersion != schema.Latest() {
		t.Errorf("status reported %+v", rep)
	}
	if rep.LastSeq != 14 {
		t.Errorf("last seq %d, want 14", rep.LastSeq)
	}
	if h, err := capture.ParseHLC(rep.Clock.Time); err != nil || int64(h) != rep.Clock.HLC {
		t.Errorf("clock %+v: readable form does not match (%v)", rep.Clock, err)
	}
	want := []deviceStatus{{phone, "Anna's iPhone", "ios", 0, 14}, {tablet, "Tab", "android", 10, 4}}
	if len(rep.Devices) != 2 || rep.Devices[0] != want[0] || rep.Devices[1] != want[1] {
		t.Errorf("devices %+v, want %+v", rep.Devices, want)
	}
	if len(rep.Drift) != 0 {
		t.Errorf("drift %+v", rep.Drift)
	}

	// A dropped trigger shows as drift.
	edit(t, dir, `DROP TRIGGER "capture:tags:insert"`)
	out := ok(t, dir, "status", "--db", "app.db")
	if !regexp.MustCompile(`drift +1 triggers differ \(1 missing, 0 changed, 0 extra\)`).MatchString(out) {
		t.Errorf("status after dropping a trigger:\n%s", out)
	}
}

func TestStatusNew(t *testing.T) {
	dir := newDB(t, "desktop")
	golden(t, "status_new", normalise(t, dir, ok(t, dir, "status", "--db", "app.db")))
}
