package triggers

import (
	"context"
	"strings"
	"testing"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// TestForeignKeysWhateverTheSetting: with foreign_keys off, as the sqlite3
// shell and Python edit, and on, as the engine and the app do, the same
// edits are refused with the same message and leave the same rows and
// the same captured deletes.
func TestForeignKeysWhateverTheSetting(t *testing.T) {
	var results []string
	for _, setting := range []string{"OFF", "ON"} {
		t.Run("foreign_keys="+setting, func(t *testing.T) {
			conn := sqlitetest.Open(t, "fk.db")
			sqlitetest.Exec(t, conn, foreignKeysDDL)
			if _, err := schema.Migrate(context.Background(), conn, schema.Desktop); err != nil {
				t.Fatal(err)
			}
			tables, err := schema.Inspect(conn, schema.Spec{Tables: []schema.TableSpec{{Name: "items"}, {Name: "folders"}, {Name: "owners"}, {Name: "spots"}}})
			if err != nil {
				t.Fatal(err)
			}
			sqlitetest.Exec(t, conn, Script(GenerateAll(tables)))
			sqlitetest.Exec(t, conn, `PRAGMA foreign_keys = `+setting+`;
				INSERT INTO folders VALUES ('a', NULL, 'A'), ('b', 'a', 'B'), ('c', 'b', 'C'), ('z', NULL, 'Z');
				INSERT INTO owners VALUES ('o1', 'Ann');
				INSERT INTO spots VALUES ('1', '1');
				INSERT INTO elsewhere VALUES ('e');
				INSERT INTO items VALUES ('i1', 'c', 'o1', '1', '1', 'e'), ('i2', 'z', 'o1', NULL, '9', NULL);`)
			for _, tc := range []struct{ sql, want string }{
				{`INSERT INTO items (id, folder_id) VALUES ('i3', 'nowhere')`, "items(folder_id) REFERENCES folders(id)"},
				{`UPDATE items SET owner = 'o9' WHERE id = 'i1'`, "items(owner) REFERENCES owners(id)"},
				{`INSERT INTO items (id, folder_id, x, y) VALUES ('i4', 'z', '1', '2')`, "items(x, y) REFERENCES spots(x, y)"},
				{`DELETE FROM spots`, "items(x, y) REFERENCES spots(x, y)"},
				{`UPDATE folders SET id = 'a2' WHERE id = 'a'`, "folders(parent_id) REFERENCES folders(id)"},
			} {
				err := conn.Exec(tc.sql)
				if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY constraint failed: "+tc.want) {
					t.Errorf("%s: %v, want the constraint %s named", tc.sql, err, tc.want)
				}
			}
			sqlitetest.Exec(t, conn, `DELETE FROM owners WHERE id = 'o1'; DELETE FROM folders WHERE id = 'a'`)
			got := sqlitetest.Rows(t, conn, `SELECT 'folder', id, coalesce(parent_id, '-') FROM folders UNION ALL
				SELECT 'item', id, coalesce(owner, '-') FROM items UNION ALL
				SELECT 'deleted', entity_type, entity_id FROM local_changes WHERE op = 3 AND field_name = ''
				ORDER BY 1, 2, 3`)
			results = append(results, strings.ReplaceAll(strings.Join(flatten(got), " "), `"`, ""))
		})
	}
	const want = "deleted folders a deleted folders b deleted folders c deleted items i1 deleted owners o1 folder z - item i2 -"
	for i, r := range results {
		if r != want {
			t.Errorf("run %d ended with\n%s\nwant\n%s", i, r, want)
		}
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}
