package main

import (
	"slices"
	"strings"
	"testing"
)

func TestChanges(t *testing.T) {
	dir := fixtureDB(t, "mobile")
	golden(t, "changes", normalise(t, dir, ok(t, dir, "changes", "--db", "app.db")))

	id, _ := node(t, dir)
	tests := []struct {
		name string
		args []string
		want []int64 // seqs, newest first
	}{
		{"all", nil, []int64{14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"limit", []string{"--limit", "3"}, []int64{14, 13, 12}},
		{"table", []string{"--table", "discovery_releases"}, []int64{7, 6, 5, 3}},
		{"entity", []string{"--table", "tags", "--entity", "g1"}, []int64{2}},
		{"composite entity", []string{"--entity", "'r1','g1'"}, []int64{4}},
		{"field", []string{"--field", "artist"}, []int64{7, 5}},
		{"row-level", []string{"--field", "", "--table", "tags"}, []int64{14, 9, 2}},
		{"origin", []string{"--origin", id, "--limit", "2"}, []int64{14, 13}},
		{"origin local", []string{"--origin", "local", "--limit", "1"}, []int64{14}},
		{"other origin", []string{"--origin", "0123456789abcdef"}, nil},
		{"seq range", []string{"--after-seq", "3", "--upto-seq", "5"}, []int64{5, 4}},
		{"since", []string{"--since", "2000-01-01T00:00:00Z", "--limit", "1"}, []int64{14}},
		{"until", []string{"--until", "2000-01-01T00:00:00Z"}, nil},
		{"since future", []string{"--since", "2999-01-01T00:00:00+02:00"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []changeJSON
			okJSON(t, dir, &got, append([]string{"changes", "--db", "app.db", "--json"}, tt.args...)...)
			var seqs []int64
			for _, c := range got {
				seqs = append(seqs, c.Seq)
			}
			if !slices.Equal(seqs, tt.want) {
				t.Errorf("seqs %v, want %v", seqs, tt.want)
			}
		})
	}

	var got []changeJSON
	okJSON(t, dir, &got, "changes", "--db", "app.db", "--json", "--upto-seq", "7", "--limit", "2")
	if len(got) != 2 {
		t.Fatalf("got %d changes", len(got))
	}
	c := got[1] // seq 6 or 7: the one-statement update of artist and notes
	if c.Table != "discovery_releases" || c.Entity != "r1" || c.Op != "update" || c.Origin != id || c.HLCTime == "" || c.HLC == 0 {
		t.Errorf("change %+v", c)
	}
	if c.Field == "notes" && (c.Old != nil || c.New != "two\nlines") || c.Field == "artist" && (c.Old != "Ann" || c.New != "Anna") {
		t.Errorf("change %+v", c)
	}

	if out := ok(t, dir, "changes", "--db", "app.db", "--until", "2000-01-01T00:00:00Z"); out != "no changes\n" {
		t.Errorf("no changes: %q", out)
	}
	// Flags go in any order.
	out := ok(t, dir, "changes", "--limit", "1", "--db", "app.db", "--table", "settings")
	if !strings.Contains(out, "  theme  ") {
		t.Errorf("settings change:\n%s", out)
	}
}
