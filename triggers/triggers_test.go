package triggers

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// shapes are the table shapes the golden files cover.
var shapes = []struct {
	golden string
	ddl    string
	spec   schema.TableSpec
	also   []schema.TableSpec // more tables that sync
}{
	{"quoted_names.sql", `CREATE TABLE "my table ""x""" ("select" TEXT PRIMARY KEY NOT NULL, "a b" INTEGER, "it's" TEXT, "order" REAL)`,
		schema.TableSpec{Name: `my table "x"`}, nil},
	{"composite_key.sql", `CREATE TABLE pairs (left_id TEXT NOT NULL, right_id INTEGER NOT NULL, weight REAL, PRIMARY KEY (left_id, right_id))`,
		schema.TableSpec{Name: "pairs"}, nil},
	{"without_rowid.sql", `CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB, n INT) WITHOUT ROWID`,
		schema.TableSpec{Name: "kv"}, nil},
	{"strict_integer_key.sql", `CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, note TEXT) STRICT`,
		schema.TableSpec{Name: "counters"}, nil},
	{"local_keys_nullable.sql", `CREATE TABLE prefs (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
		schema.TableSpec{Name: "prefs", LocalKeys: []string{"window_state", "it's local"}}, nil},
	{"foreign_keys.sql", foreignKeysDDL, schema.TableSpec{Name: "items"},
		[]schema.TableSpec{{Name: "folders"}, {Name: "owners"}, {Name: "spots"}}},
}

// foreignKeysDDL has a table referencing itself (CASCADE), and one with a
// CASCADE, a SET NULL and a composite NO ACTION key; "elsewhere" does not
// sync, so its key gets no triggers.
const foreignKeysDDL = `
CREATE TABLE folders (id TEXT PRIMARY KEY, parent_id TEXT REFERENCES folders(id) ON DELETE CASCADE, name TEXT);
CREATE TABLE owners (id TEXT PRIMARY KEY, name TEXT);
CREATE TABLE spots (x TEXT, y TEXT, PRIMARY KEY (x, y));
CREATE TABLE elsewhere (id TEXT PRIMARY KEY);
CREATE TABLE items (id TEXT PRIMARY KEY, folder_id TEXT NOT NULL REFERENCES folders ON DELETE CASCADE,
	owner TEXT REFERENCES owners(id) ON DELETE SET NULL, x TEXT, y TEXT, far TEXT REFERENCES elsewhere(id),
	FOREIGN KEY (x, y) REFERENCES spots(x, y));`

func TestGolden(t *testing.T) {
	for _, sh := range shapes {
		t.Run(sh.golden, func(t *testing.T) {
			conn := sqlitetest.Open(t, "g.db")
			sqlitetest.Exec(t, conn, sh.ddl)
			tables, err := schema.Inspect(conn, schema.Spec{Tables: append([]schema.TableSpec{sh.spec}, sh.also...)})
			if err != nil {
				t.Fatal(err)
			}
			got := Script(GenerateAll(tables))
			path := filepath.Join("testdata", sh.golden)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./triggers -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("generated SQL differs from %s (go test ./triggers -update rewrites it after review)\n%s", path, got)
			}
			// The SQL is valid: it installs next to the engine's tables.
			if _, err := schema.Migrate(context.Background(), conn, schema.Desktop); err != nil {
				t.Fatal(err)
			}
			sqlitetest.Exec(t, conn, got)
		})
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	conn := sqlitetest.Open(t, "d.db")
	if _, err := schema.Migrate(context.Background(), conn, schema.Mobile); err != nil {
		t.Fatal(err)
	}
	tables, err := schema.Inspect(conn, schema.AppSpec().For(schema.Mobile))
	if err != nil {
		t.Fatal(err)
	}
	a, b := Script(GenerateAll(tables)), Script(GenerateAll(tables))
	if a != b {
		t.Fatal("two generations differ")
	}
	sqlitetest.Exec(t, conn, a)
}

func TestTriggerNamesAreDistinct(t *testing.T) {
	// Table "t:update" with column "x" against table "t" with column
	// "update:x" and similar collisions.
	a := schema.TableInfo{Name: "t", Key: []schema.Column{{Name: "id"}}, Columns: []schema.Column{{Name: "x:insert"}}}
	b := schema.TableInfo{Name: "t:update:x", Key: []schema.Column{{Name: "id"}}}
	seen := map[string]bool{}
	for _, tr := range GenerateAll([]schema.TableInfo{a, b}) {
		if seen[tr.Name] {
			t.Errorf("duplicate trigger name %q", tr.Name)
		}
		seen[tr.Name] = true
		if !strings.HasPrefix(tr.Name, Prefix) {
			t.Errorf("%q lacks the prefix", tr.Name)
		}
	}
}

func TestQuote(t *testing.T) {
	tests := map[string]string{`a`: `"a"`, `a"b`: `"a""b"`, `select`: `"select"`, `a b`: `"a b"`}
	for in, want := range tests {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
	if got := Literal("it's"); got != `'it''s'` {
		t.Errorf("Literal: %s", got)
	}
}
