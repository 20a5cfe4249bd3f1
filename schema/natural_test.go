package schema

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/capture-sync/capture/internal/sqlitetest"
)

func TestNaturalKeysOfTheAppSchema(t *testing.T) {
	for _, p := range []Profile{Desktop, Mobile} {
		conn := sqlitetest.Open(t, string(p)+".db")
		if _, err := Migrate(context.Background(), conn, p); err != nil {
			t.Fatal(err)
		}
		tables, err := Inspect(conn, AppSpec().For(p))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, ti := range tables {
			got[ti.Name] = fmt.Sprint(ti.NaturalKeys)
		}
		want := map[string]string{
			"tag_categories":              "[(name)]",
			"tags":                        "[(category_id, name)]",
			"discovery_releases":          "[(url)]",
			"playlists":                   "[]",
			"discovery_tracks":            "[]",
			"discovery_release_tags":      "[]",
			"playlist_discovery_releases": "[]",
			"settings":                    "[]",
		}
		for name, w := range want {
			if got[name] != w {
				t.Errorf("%s: %s natural keys %s, want %s", p, name, got[name], w)
			}
		}
	}
}

func TestNaturalKeysSkipAndSpec(t *testing.T) {
	const ddl = `CREATE TABLE t (id TEXT PRIMARY KEY, a TEXT UNIQUE, b TEXT, c TEXT, d TEXT, e TEXT, secret TEXT,
			UNIQUE (b, c));
		CREATE UNIQUE INDEX t_partial ON t (d) WHERE d IS NOT NULL;
		CREATE UNIQUE INDEX t_expr ON t (lower(e));
		CREATE UNIQUE INDEX t_secret ON t (secret);
		CREATE UNIQUE INDEX t_nocase ON t (e COLLATE NOCASE, d);`
	for _, tc := range []struct {
		name string
		spec TableSpec
		want string
		err  error
	}{
		{"from the schema", TableSpec{Name: "t", Exclude: []string{"secret"}}, "[(a) (b, c) (e, d)]", nil},
		{"secret syncs", TableSpec{Name: "t"}, "[(a) (b, c) (e, d) (secret)]", nil},
		{"one removed", TableSpec{Name: "t", Exclude: []string{"secret"}, IgnoreNaturalKeys: [][]string{{"b", "c"}}}, "[(a) (e, d)]", nil},
		{"one added", TableSpec{Name: "t", Exclude: []string{"secret"}, NaturalKeys: [][]string{{"d"}}}, "[(a) (b, c) (e, d) (d)]", nil},
		{"added twice", TableSpec{Name: "t", Exclude: []string{"secret"}, NaturalKeys: [][]string{{"a"}}}, "[(a) (b, c) (e, d)]", nil},
		{"added on a column that does not sync", TableSpec{Name: "t", Exclude: []string{"secret"}, NaturalKeys: [][]string{{"secret"}}}, "", ErrUntrackable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := sqlitetest.Open(t, "nk.db")
			sqlitetest.Exec(t, conn, ddl)
			tables, err := Inspect(conn, Spec{Tables: []TableSpec{tc.spec}})
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("got %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(tables[0].NaturalKeys); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			for _, k := range tables[0].NaturalKeys {
				if slices.Equal(k.Columns, []string{"e", "d"}) && !slices.Equal(k.Collations, []string{"NOCASE", "BINARY"}) {
					t.Errorf("collations of %v: %v", k, k.Collations)
				}
			}
		})
	}
}
