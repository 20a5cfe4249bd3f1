package schema

import (
	"slices"
	"testing"
)

// shipped pins the checksum of every migration. A migration that has
// shipped must never change: databases in the wild have applied it.
var shipped = map[int]string{
	1:  "aab2c9b9ac1f81704436765ad308f0ba6fb9928cd24fb6896e9bd0062187e50c",
	2:  "05a2413a34941cd4189127182bce7b229ac42b23b99863049ed7425c9e466521",
	3:  "ad0fe9d50d5525e58605d285f5fb3be1b42a8374d7b9d0f8cf4fce1cb5182020",
	4:  "9deece962de8d26e6a4ef9e859c1bee0f8ca088df8685b1215e7c6010101aa3f",
	5:  "9363484212fa4c3712877b48eba12720d3a6ad4183c1815ce907bdeffac2c6db",
	6:  "b8402d5cbf1e1fe436153974b079dbb48aeea1c1a0bb9c43c915b6d7dd089f41",
	7:  "37d23e48c9de9c7074cd2aecee0e33d132daaba6d1a088c6f9483618b3bacf12",
	8:  "6107028dcd87f471d9cdab0d84e0638b19fed50acdb6e2d6e0e1224ade40e32a",
	9:  "9b11b1775c629b195077a780fd9d16be39286248bcfbbb98684f0bc3347e3e67",
	10: "15f49cfc092142a097e527c970e9028ea5fbe701c1b6406e2a22b03292eb957c",
	11: "19d6ed45a5b0dac3fc76909a63f46f49523c745f63d9fe1d04d1908859caa853",
	12: "e3576510acdce446463db78d6246e50b0440bde5fffe1ef29d20e486d60b0438",
	13: "0cb20eafa28fcd4b231961abde4bb48975f715afa74a3d46946f3132c1e9aab2",
}

func TestShippedMigrationsAreUnchanged(t *testing.T) {
	list, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		want, ok := shipped[m.Version]
		if !ok {
			t.Errorf("migration %d (%s) has no pinned checksum: add %d: %q to shipped once it is final",
				m.Version, m.Name, m.Version, m.Checksum())
			continue
		}
		if got := m.Checksum(); got != want {
			t.Errorf("migration %d (%s) changed (checksum %s, pinned %s): shipped migrations are frozen; "+
				"revert the edit and append a new migration instead", m.Version, m.Name, got, want)
		}
	}
	if len(list) < len(shipped) {
		t.Errorf("%d migrations, %d pinned: a shipped migration was removed", len(list), len(shipped))
	}
}

func TestEveryDesktopStatementIsClassified(t *testing.T) {
	list, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		for _, s := range m.Statements {
			if s.Table == "" {
				t.Errorf("migration %d: statement names no table, so both profiles run it: %.60q", m.Version, s.SQL)
			}
		}
	}
	// Migration 1 creates all seven desktop-only tables, which mobile skips.
	var skipped []string
	for _, s := range list[0].Statements {
		if !Mobile.Has(s.Table) && !slices.Contains(skipped, s.Table) {
			skipped = append(skipped, s.Table)
		}
	}
	slices.Sort(skipped)
	want := slices.Sorted(slices.Values(DesktopOnlyTables))
	if !slices.Equal(skipped, want) {
		t.Errorf("mobile skips %v, want %v", skipped, want)
	}
}

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
		err  bool
	}{
		{"two", "CREATE TABLE a(x);\nCREATE TABLE b(y);\n", []string{"CREATE TABLE a(x)", "CREATE TABLE b(y)"}, false},
		{"semicolons in quotes", `INSERT INTO a VALUES ('x;y', "z;", [w;]);`, []string{`INSERT INTO a VALUES ('x;y', "z;", [w;])`}, false},
		{"comments", "-- lead; comment\nCREATE TABLE a(x /* ; */); -- tail;\n", []string{"CREATE TABLE a(x /* ; */)"}, false},
		{"doubled quote", `INSERT INTO a VALUES ('it''s;');`, []string{`INSERT INTO a VALUES ('it''s;')`}, false},
		{"unterminated", `INSERT INTO a VALUES ('x);`, nil, true},
		{"no semicolon", `CREATE TABLE a(x)`, nil, true},
		{"trigger", `CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := splitStatements(tc.in)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if !tc.err && !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStatementTable(t *testing.T) {
	tests := map[string]string{
		"CREATE TABLE tracks (id TEXT)":                    "tracks",
		"CREATE TABLE IF NOT EXISTS \"Cues\" (id)":         "cues",
		"CREATE INDEX idx_x ON tracks(artist)":             "tracks",
		"CREATE UNIQUE INDEX IF NOT EXISTS i ON [cues](x)": "cues",
		"ALTER TABLE discovery_tracks ADD COLUMN x":        "discovery_tracks",
		"INSERT OR IGNORE INTO settings VALUES (1)":        "settings",
		"PRAGMA user_version = 1":                          "",
	}
	for in, want := range tests {
		if got := statementTable(in); got != want {
			t.Errorf("statementTable(%q) = %q, want %q", in, got, want)
		}
	}
}
