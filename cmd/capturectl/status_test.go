package main

import (
	"regexp"
	"strings"
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
	want := []deviceStatus{{phone, "Anna's iPhone", "ios", 0, 14, nil}, {tablet, "Tab", "android", 10, 4, nil}}
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
	// A row inserted while the trigger is missing is not adopted until
	// init puts the trigger back.
	edit(t, dir, `INSERT INTO tags (id, category_id, name) VALUES ('g9', 'c1', 'Uncaptured')`)
	out = ok(t, dir, "status", "--db", "app.db")
	if !regexp.MustCompile(`unadopted +1 rows written without capture \(tags 1\): capturectl init --db app.db adopts them`).MatchString(out) {
		t.Errorf("status with a row written without capture:\n%s", out)
	}
	ok(t, dir, "init", "--db", "app.db", "--profile", "mobile")
	if out := ok(t, dir, "status", "--db", "app.db"); !regexp.MustCompile(`unadopted +none`).MatchString(out) || !regexp.MustCompile(`drift +none`).MatchString(out) {
		t.Errorf("status after init:\n%s", out)
	}
}

func TestStatusNew(t *testing.T) {
	dir := newDB(t, "desktop")
	golden(t, "status_new", normalise(t, dir, ok(t, dir, "status", "--db", "app.db")))
}

// TestStatusShowsStuckPeer: a changeset that passes validation and still
// fails to apply (here the phone's own trigger refuses a track) fails
// apply with a hint, and status shows the stuck peer, the record and the
// hint, until a changeset from it applies.
func TestStatusShowsStuckPeer(t *testing.T) {
	dir, desktop, phone := pairedDevices(t)
	editDB(t, dir, "desktop.db", releasesSQL)
	ok(t, dir, "export", "--db", "desktop.db", "--peer", phone, "--out", "a.cs")
	editDB(t, dir, "phone.db", `CREATE TRIGGER refuse BEFORE INSERT ON discovery_tracks BEGIN SELECT RAISE(ABORT, 'refused by the app'); END`)

	r := ctl(t, dir, "apply", "--db", "phone.db", "a.cs")
	if r.code != exitFailure || !strings.Contains(r.stderr, "passed validation but could not be applied") || !strings.Contains(r.stderr, "nothing is lost") {
		t.Fatalf("apply of a changeset that fails: exit %d\n%s", r.code, r.stderr)
	}
	out := ok(t, dir, "status", "--db", "phone.db")
	if !regexp.MustCompile(`STUCK: changesets from `+desktop+` failed to apply 1 time\(s\)`).MatchString(out) ||
		!strings.Contains(out, "discovery_tracks") || !strings.Contains(out, "refused by the app") || !strings.Contains(out, "hint:") {
		t.Errorf("status of a stuck peer:\n%s", out)
	}
	var rep statusReport
	okJSON(t, dir, &rep, "status", "--db", "phone.db", "--json")
	if len(rep.Devices) != 1 || rep.Devices[0].Failure == nil || rep.Devices[0].Failure.Count != 1 || rep.Devices[0].Failure.Hint == "" {
		t.Fatalf("status --json of a stuck peer: %+v", rep.Devices)
	}

	editDB(t, dir, "phone.db", `DROP TRIGGER refuse`)
	ok(t, dir, "apply", "--db", "phone.db", "a.cs")
	if out := ok(t, dir, "status", "--db", "phone.db"); strings.Contains(out, "STUCK") {
		t.Errorf("status after the apply worked:\n%s", out)
	}
}
