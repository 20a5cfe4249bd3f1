package main

import (
	"strings"
	"testing"
)

func TestUndo(t *testing.T) {
	dir := fixtureDB(t, "mobile")
	// seq 7 sets artist from 'Ann' to 'Anna'.
	var rep undoReport
	okJSON(t, dir, &rep, "undo", "--db", "app.db", "--json", "7")
	if rep.Undone.Seq != 7 || rep.Undone.Field != "artist" || rep.Undone.New != "Anna" {
		t.Errorf("undone %+v", rep.Undone)
	}
	if len(rep.New) != 1 || rep.New[0].Seq != 15 || rep.New[0].Field != "artist" || rep.New[0].Old != "Anna" || rep.New[0].New != "Ann" {
		t.Errorf("new changes %+v", rep.New)
	}
	var fields fieldsReport
	okJSON(t, dir, &fields, "fields", "--db", "app.db", "--json", "discovery_releases", "r1")
	for _, f := range fields.Fields {
		if f.Field == "artist" && f.Value != "Ann" {
			t.Errorf("artist is %v after the undo", f.Value)
		}
	}

	// The row no longer holds what seq 7 left: undoing it again conflicts.
	r := ctl(t, dir, "undo", "--db", "app.db", "7")
	if r.code != 1 || !strings.Contains(r.stderr, "row changed since") ||
		!strings.Contains(r.stderr, "hint: see the row as it is now with capturectl fields --db app.db discovery_releases r1") {
		t.Errorf("undo with a conflict: exit %d\n%s", r.code, r.stderr)
	}

	// Undo the delete of g2 (its row-level entry) and see the row back.
	out := ok(t, dir, "undo", "--db", "app.db", "14")
	if !strings.HasPrefix(out, "undid change 14 (delete of tags g2); the undo is captured as:\n") {
		t.Errorf("undo of a delete:\n%s", out)
	}
	golden(t, "undo_delete", normalise(t, dir, out))
	okJSON(t, dir, &fields, "fields", "--db", "app.db", "--json", "tags", "g2")
	if fields.Deleted {
		t.Errorf("g2 still deleted after the undo: %+v", fields)
	}

	r = ctl(t, dir, "undo", "--db", "app.db", "13")
	if r.code != 1 || !strings.Contains(r.stderr, "cannot be undone") {
		t.Errorf("undo of one field of a delete: exit %d\n%s", r.code, r.stderr)
	}
	r = ctl(t, dir, "undo", "--db", "app.db", "99")
	if r.code != 1 || !strings.Contains(r.stderr, "no such change") || !strings.Contains(r.stderr, "hint: capturectl changes --db app.db") {
		t.Errorf("undo of an unknown change: exit %d\n%s", r.code, r.stderr)
	}
}
