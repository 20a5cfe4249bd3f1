package main

import (
	"testing"
)

func TestFields(t *testing.T) {
	dir := fixtureDB(t, "mobile")
	golden(t, "fields", normalise(t, dir, ok(t, dir, "fields", "--db", "app.db", "discovery_releases", "r1")))
	// Flags after the positional arguments work too.
	golden(t, "fields_deleted", normalise(t, dir, ok(t, dir, "fields", "tags", "g2", "--db", "app.db")))

	id, _ := node(t, dir)
	var rep fieldsReport
	okJSON(t, dir, &rep, "fields", "--db", "app.db", "--json", "discovery_release_tags", "'r1','g1'")
	if rep.Table != "discovery_release_tags" || rep.Entity != "'r1','g1'" || rep.Deleted || len(rep.Fields) != 1 {
		t.Fatalf("fields reported %+v", rep)
	}
	if f := rep.Fields[0]; f.Field != "" || f.Origin != id || !f.Own || f.HLC == 0 || f.HLCTime == "" {
		t.Errorf("existence register %+v", f)
	}

	okJSON(t, dir, &rep, "fields", "--db", "app.db", "--json", "tags", "g2")
	if !rep.Deleted {
		t.Errorf("g2 is not reported deleted: %+v", rep)
	}
	for _, f := range rep.Fields[1:] {
		if f.Value != nil {
			t.Errorf("deleted row's field %+v has a value", f)
		}
	}

	okJSON(t, dir, &rep, "fields", "--db", "app.db", "--json", "discovery_releases", "r1")
	values := map[string]fieldJSON{}
	for _, f := range rep.Fields {
		values[f.Field] = f
	}
	if f := values["notes"]; f.Value != "two\nlines" || !f.Own {
		t.Errorf("notes %+v", f)
	}
	if f := values["title"]; f.Value != nil || f.Own || f.HLC != values[""].HLC {
		t.Errorf("title %+v: want the row's stamp %d", f, values[""].HLC)
	}
}
