package main

import (
	"strings"
	"testing"
)

func TestPrune(t *testing.T) {
	dir := fixtureDB(t, "mobile")
	out := ok(t, dir, "prune", "--db", "app.db")
	if want := "pruned 0 changes; 14 left in the log (newest seq 14)\nno paired device: the log is kept until a paired device has acknowledged it\n"; out != want {
		t.Errorf("prune without devices:\n%s\nwant:\n%s", out, want)
	}
	ok(t, dir, "pair", "--db", "app.db", "--device", phone, "--token", "t1")
	ok(t, dir, "pair", "--db", "app.db", "--device", tablet, "--token", "t2")
	edit(t, dir, `UPDATE paired_devices SET acked_seq = 14 WHERE device_id = '`+phone+`';
		UPDATE paired_devices SET acked_seq = 6 WHERE device_id = '`+tablet+`'`)

	var rep pruneReport
	okJSON(t, dir, &rep, "prune", "--db", "app.db", "--json")
	if rep != (pruneReport{Deleted: 6, Remaining: 8, LastSeq: 14, Devices: 2}) {
		t.Errorf("prune reported %+v", rep)
	}
	var list []changeJSON
	okJSON(t, dir, &list, "changes", "--db", "app.db", "--json", "--limit", "0")
	if len(list) != 8 || list[len(list)-1].Seq != 7 {
		t.Errorf("after pruning: %d changes, oldest %+v", len(list), list[len(list)-1])
	}

	edit(t, dir, `UPDATE paired_devices SET acked_seq = 14`)
	out = ok(t, dir, "prune", "--db", "app.db")
	if !strings.HasPrefix(out, "pruned 7 changes; 1 left in the log (newest seq 14)\n") {
		t.Errorf("prune: %s", out)
	}
}
