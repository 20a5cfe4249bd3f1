package main

import (
	"strings"
	"testing"

	"github.com/capture-sync/capture/triggers"
)

func TestTriggers(t *testing.T) {
	dir := newDB(t, "mobile")
	golden(t, "triggers_settings", ok(t, dir, "triggers", "--db", "app.db", "--table", "settings"))

	var list []triggerJSON
	okJSON(t, dir, &list, "triggers", "--db", "app.db", "--json")
	var rep initReport
	okJSON(t, dir, &rep, "init", "--db", "app.db", "--profile", "mobile", "--json")
	if len(list) != rep.Triggers || len(list) == 0 {
		t.Fatalf("%d triggers, init installed %d", len(list), rep.Triggers)
	}
	script := ok(t, dir, "triggers", "--db", "app.db")
	for _, tr := range list {
		if !strings.HasPrefix(tr.Name, triggers.Prefix) || !strings.Contains(script, tr.SQL+";\n") {
			t.Errorf("trigger %s is not in the script", tr.Name)
		}
	}

	if out := ok(t, dir, "triggers", "--db", "app.db", "--check"); !strings.HasPrefix(out, "no drift") {
		t.Errorf("check: %s", out)
	}
	var check checkReport
	okJSON(t, dir, &check, "triggers", "--db", "app.db", "--check", "--json")
	if !check.OK || check.Expected != len(list) || len(check.Drift) != 0 {
		t.Errorf("check reported %+v", check)
	}

	edit(t, dir, `DROP TRIGGER "capture:tags:insert";
		CREATE TRIGGER "capture:gone" AFTER INSERT ON tags BEGIN SELECT 1; END;`)
	r := ctl(t, dir, "triggers", "--db", "app.db", "--check")
	if r.code != 1 || !strings.Contains(r.stderr, "2 capture triggers differ") ||
		!strings.Contains(r.stderr, "hint: reinstall them with capturectl init --db app.db --profile mobile") {
		t.Errorf("check with drift: exit %d\n%s", r.code, r.stderr)
	}
	golden(t, "triggers_drift", r.stdout)
	r = ctl(t, dir, "triggers", "--db", "app.db", "--check", "--json")
	if r.code != 1 {
		t.Errorf("check --json with drift: exit %d", r.code)
	}
	want := []driftJSON{{"capture:tags:insert", "missing"}, {"capture:gone", "extra"}}
	check = checkReport{}
	if err := jsonUnmarshal(r.stdout, &check); err != nil || check.OK || len(check.Drift) != 2 ||
		check.Drift[0] != want[0] || check.Drift[1] != want[1] {
		t.Errorf("check --json: %+v (%v), want drift %+v", check, err, want)
	}

	// init puts them back.
	ok(t, dir, "init", "--db", "app.db", "--profile", "mobile")
	ok(t, dir, "triggers", "--db", "app.db", "--check")
}
