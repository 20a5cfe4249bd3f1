package main

import (
	"strings"
	"testing"
	"time"
)

func TestPairDevicesUnpair(t *testing.T) {
	dir := fixtureDB(t, "desktop")
	if out := ok(t, dir, "devices", "--db", "app.db"); out != "no paired devices\n" {
		t.Errorf("devices before pairing: %q", out)
	}
	var list []deviceJSON
	okJSON(t, dir, &list, "devices", "--db", "app.db", "--json")
	if list == nil || len(list) != 0 {
		t.Errorf("devices --json before pairing: %#v", list)
	}

	out := ok(t, dir, "pair", "--db", "app.db", "--device", phone, "--name", "Anna's iPhone", "--platform", "ios", "--token", "t1")
	if out != "paired "+phone+" (Anna's iPhone, ios): acked seq 0, 14 changes pending\n" {
		t.Errorf("pair: %q", out)
	}
	ok(t, dir, "pair", "--db", "app.db", "--device", tablet, "--name", "Tab", "--platform", "android", "--token", "t2")
	edit(t, dir, `UPDATE paired_devices SET acked_seq = 10, received_seq = 3, last_seen = '2026-01-02T03:04:05.5Z' WHERE device_id = '`+tablet+`'`)

	var rep pairReport
	okJSON(t, dir, &rep, "pair", "--db", "app.db", "--device", tablet, "--name", "Tablet", "--platform", "android", "--token", "t3", "--json")
	if !rep.Repaired || rep.Device.Name != "Tablet" || rep.Device.AckedSeq != 10 || rep.Device.Pending != 4 {
		t.Errorf("pairing again reported %+v", rep)
	}

	golden(t, "devices", normalise(t, dir, ok(t, dir, "devices", "--db", "app.db")))
	okJSON(t, dir, &list, "devices", "--db", "app.db", "--json")
	if len(list) != 2 || list[0].ID != phone || list[1].ID != tablet {
		t.Fatalf("devices --json: %+v", list)
	}
	d := list[1]
	if d.Name != "Tablet" || d.Platform != "android" || d.AckedSeq != 10 || d.ReceivedSeq != 3 || d.Pending != 4 ||
		d.LastSeen != "2026-01-02T03:04:05.5Z" {
		t.Errorf("tablet %+v", d)
	}
	if s, _ := list[0].PairedAt.(string); s == "" {
		t.Errorf("phone has no pairing time: %+v", list[0])
	} else if at, err := time.Parse(time.RFC3339Nano, s); err != nil || time.Since(at) > time.Hour {
		t.Errorf("phone paired at %q (%v)", s, err)
	}
	if list[0].LastSeen != nil {
		t.Errorf("phone was never seen, last_seen %v", list[0].LastSeen)
	}

	var un map[string]string
	okJSON(t, dir, &un, "unpair", "--db", "app.db", "--device", tablet, "--json")
	if un["unpaired"] != tablet {
		t.Errorf("unpair --json: %v", un)
	}
	if out := ok(t, dir, "unpair", "--db", "app.db", "--device", phone); out != "unpaired "+phone+"\n" {
		t.Errorf("unpair: %q", out)
	}
	if out := ok(t, dir, "devices", "--db", "app.db"); out != "no paired devices\n" {
		t.Errorf("devices after unpairing: %q", out)
	}

	r := ctl(t, dir, "unpair", "--db", "app.db", "--device", phone)
	if r.code != 1 || !strings.Contains(r.stderr, "device is not paired") ||
		!strings.Contains(r.stderr, "hint: capturectl devices --db app.db lists the paired devices") {
		t.Errorf("unpair of an unknown device: exit %d\n%s", r.code, r.stderr)
	}
	id, _ := node(t, dir)
	r = ctl(t, dir, "pair", "--db", "app.db", "--device", id, "--token", "x")
	if r.code != 1 || !strings.Contains(r.stderr, "own") || !strings.Contains(r.stderr, "hint:") {
		t.Errorf("pairing with itself: exit %d\n%s", r.code, r.stderr)
	}
}
