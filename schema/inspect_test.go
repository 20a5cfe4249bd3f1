package schema

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/ncruces/go-sqlite3/ext/csv"
)

func TestInspectAppSpec(t *testing.T) {
	for _, p := range []Profile{Desktop, Mobile} {
		conn := sqlitetest.Open(t, string(p)+".db")
		if _, err := Migrate(context.Background(), conn, p); err != nil {
			t.Fatal(err)
		}
		tables, err := Inspect(conn, AppSpec().For(p))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var rel TableInfo
		for _, ti := range tables {
			if ti.Name == "discovery_releases" {
				rel = ti
			}
		}
		var cols []string
		for _, c := range rel.Columns {
			cols = append(cols, c.Name)
		}
		for _, want := range []string{"artist", "title", "label", "release_date", "artwork_url", "artwork_path", "notes"} {
			if !slices.Contains(cols, want) {
				t.Errorf("%s: discovery_releases does not track %s (tracks %v)", p, want, cols)
			}
		}
		if len(rel.Key) != 1 || rel.Key[0].Name != "id" || !rel.NullableKey {
			t.Errorf("%s: discovery_releases key %+v nullable=%v", p, rel.Key, rel.NullableKey)
		}
		if len(tables) != 8 {
			t.Errorf("%s: %d synced tables, want 8", p, len(tables))
		}
	}
}

func TestFingerprintIsSharedByProfilesAndFollowsColumns(t *testing.T) {
	fp := func(p Profile, extra string) string {
		conn := sqlitetest.Open(t, "fp.db")
		if _, err := Migrate(context.Background(), conn, p); err != nil {
			t.Fatal(err)
		}
		sqlitetest.Exec(t, conn, extra)
		tables, err := Inspect(conn, AppSpec().For(p))
		if err != nil {
			t.Fatal(err)
		}
		return Fingerprint(tables)
	}
	d, m := fp(Desktop, ""), fp(Mobile, "")
	if d != m || len(d) != 16 {
		t.Errorf("desktop %q and mobile %q fingerprints differ", d, m)
	}
	if x := fp(Mobile, `ALTER TABLE discovery_releases ADD COLUMN rating INTEGER`); x == m {
		t.Error("a new tracked column left the fingerprint unchanged")
	}
}

func TestInspectRefusesUntrackableTables(t *testing.T) {
	conn := sqlitetest.Open(t, "shapes.db")
	if err := csv.Register(conn); err != nil {
		t.Fatal(err)
	}
	sqlitetest.Exec(t, conn, `
		CREATE TABLE nokey (a, b);
		CREATE VIRTUAL TABLE virt USING csv(data='a,b');
		CREATE VIEW v AS SELECT 1 AS x;
		CREATE TABLE pair (a TEXT, b INTEGER, c, PRIMARY KEY (a, b));
		CREATE TABLE rid (id INTEGER PRIMARY KEY, x);
		CREATE TABLE wr (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
		CREATE TABLE st (k TEXT NOT NULL PRIMARY KEY, v INT) STRICT;
		CREATE TABLE gen (k INTEGER PRIMARY KEY, a INT, b INT GENERATED ALWAYS AS (a * 2));
	`)
	refused := []string{"nokey", "virt", "v", "missing"}
	for _, name := range refused {
		_, err := Inspect(conn, Spec{Tables: []TableSpec{{Name: name}}})
		if !errors.Is(err, ErrUntrackable) {
			t.Errorf("%s: got %v, want ErrUntrackable", name, err)
		}
	}
	if _, err := Inspect(conn, Spec{Tables: []TableSpec{{Name: "pair", LocalKeys: []string{"x"}}}}); !errors.Is(err, ErrUntrackable) {
		t.Errorf("local keys on a composite key: got %v", err)
	}
	tables, err := Inspect(conn, Spec{Tables: []TableSpec{{Name: "pair"}, {Name: "rid"}, {Name: "wr"}, {Name: "st"}, {Name: "gen"}}})
	if err != nil {
		t.Fatal(err)
	}
	nullable := map[string]bool{"pair": true, "rid": false, "wr": false, "st": false, "gen": false}
	for _, ti := range tables {
		if ti.NullableKey != nullable[ti.Name] {
			t.Errorf("%s: nullable key %v", ti.Name, ti.NullableKey)
		}
	}
	if !tables[2].WithoutRowID || !tables[3].Strict {
		t.Errorf("options: %+v %+v", tables[2], tables[3])
	}
	if len(tables[0].Key) != 2 || tables[0].Key[1].Name != "b" {
		t.Errorf("composite key: %+v", tables[0].Key)
	}
	if len(tables[4].Columns) != 1 {
		t.Errorf("generated column tracked: %+v", tables[4].Columns)
	}
}
