package capture

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

func openEngine(t testing.TB, p schema.Profile) (*Engine, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), string(p)+".db")
	e, err := Open(context.Background(), path, Options{Profile: p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, path
}

// logRows returns local_changes without the stamps, which depend on the
// clock: seq | table | entity | field | op | old | new | origin.
func logRows(t testing.TB, c *sqlite3.Conn) string {
	t.Helper()
	var lines []string
	for _, r := range sqlitetest.Rows(t, c, `SELECT seq, entity_type, entity_id, field_name, op, old_value, new_value, origin FROM local_changes ORDER BY seq`) {
		lines = append(lines, strings.Join(r, " | "))
	}
	return strings.Join(lines, "\n")
}

// registerRows returns field_timestamps without the stamps: table | entity |
// field | origin | seq | tombstone, and checks each register's stamp is the
// one its change was logged with.
func registerRows(t testing.TB, c *sqlite3.Conn) string {
	t.Helper()
	if n := sqlitetest.Int(t, c, `SELECT count(*) FROM field_timestamps f LEFT JOIN local_changes l USING (seq)
		WHERE l.hlc IS NOT f.hlc OR l.entity_type IS NOT f.entity_type OR l.entity_id IS NOT f.entity_id OR l.field_name IS NOT f.field_name`); n != 0 {
		t.Errorf("%d registers do not match the change that set them", n)
	}
	var lines []string
	for _, r := range sqlitetest.Rows(t, c, `SELECT entity_type, entity_id, field_name, origin, seq, tombstone FROM field_timestamps ORDER BY seq`) {
		lines = append(lines, strings.Join(r, " | "))
	}
	return strings.Join(lines, "\n")
}

const appFixture = `
INSERT INTO tag_categories (id, name) VALUES ('c1', 'Mood'), ('c2', 'Energy');
INSERT INTO tags (id, category_id, name) VALUES ('g1', 'c1', 'Dark');
INSERT INTO discovery_releases (id, url, date_added, date_modified) VALUES ('r1', 'https://x.bandcamp.com/album/a', '2024-01-01', '2024-01-01');
INSERT INTO playlists (id, name, context, date_created, date_modified) VALUES ('p1', 'Crate', 'discovery', '2024-01-01', '2024-01-01');
`

// TestCaptureAppSchema checks, entity by entity, exactly what an insert, an
// edit of each tracked field and a delete record.
func TestCaptureAppSchema(t *testing.T) {
	tests := []struct {
		name, table, entity, insert, delete string
		edits                               map[string]string // field -> SQL literal of the new value
	}{
		{"release", "discovery_releases", `"r9"`,
			`INSERT INTO discovery_releases (id, url, date_added, date_modified) VALUES ('r9', 'u9', 'd', 'd')`,
			`DELETE FROM discovery_releases WHERE id = 'r9'`,
			map[string]string{"artist": "'A'", "title": "'T'", "label": "'L'", "release_date": "'2024'", "artwork_url": "'http://a'",
				"artwork_path": "'/a.jpg'", "notes": "'n'", "url": "'u9b'", "source_type": "'bandcamp'", "parent_url": "'p'",
				"date_added": "'d2'", "date_modified": "'d3'"}},
		{"track", "discovery_tracks", `"t9"`,
			`INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t9', 'r1', 'One', 1)`,
			`DELETE FROM discovery_tracks WHERE id = 't9'`,
			map[string]string{"name": "'Two'", "position": "2", "duration_ms": "1000", "video_id": "'v'", "is_liked": "1", "release_id": "'r1b'"}},
		{"tag", "tags", `"g9"`,
			`INSERT INTO tags (id, category_id, name) VALUES ('g9', 'c1', 'Deep')`,
			`DELETE FROM tags WHERE id = 'g9'`,
			map[string]string{"name": "'Deeper'", "color": "'#fff'", "sort_order": "3", "category_id": "'c2'"}},
		{"playlist", "playlists", `"p9"`,
			`INSERT INTO playlists (id, name, context, date_created, date_modified) VALUES ('p9', 'Crate', 'discovery', 'd', 'd')`,
			`DELETE FROM playlists WHERE id = 'p9'`,
			map[string]string{"name": "'Crate 2'", "is_folder": "1", "smart_rules": "'{}'", "sort_order": "5", "parent_id": "'p1'",
				"is_smart": "1", "date_created": "'d2'", "date_modified": "'d3'"}},
		{"tag assignment", "discovery_release_tags", `"'r1','g1'"`,
			`INSERT INTO discovery_release_tags VALUES ('r1', 'g1')`,
			`DELETE FROM discovery_release_tags WHERE release_id = 'r1' AND tag_id = 'g1'`,
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := openEngine(t, schema.Mobile)
			c := e.Conn()
			sqlitetest.Exec(t, c, appFixture+`INSERT INTO discovery_releases (id, url, date_added, date_modified) VALUES ('r1b', 'u1b', 'd', 'd');`)
			sqlitetest.Exec(t, c, `DELETE FROM local_changes; DELETE FROM capture_registers; DELETE FROM capture_keyed_registers; DELETE FROM capture_entities`)
			ti, _ := e.Table(tc.table)
			seq := func() int64 { return sqlitetest.Int(t, c, `SELECT coalesce(max(seq), 0) FROM local_changes`) }

			sqlitetest.Exec(t, c, tc.insert)
			ins := seq()
			if got, want := logRows(t, c), lines(ins, tc.table, tc.entity, `""`, "1", "NULL", "NULL"); got != want {
				t.Fatalf("insert logged:\n%s\nwant:\n%s", got, want)
			}
			if got, want := registerRows(t, c), reg(tc.table, tc.entity, `""`, ins, 0); got != want {
				t.Fatalf("insert registers:\n%s\nwant:\n%s", got, want)
			}

			// Each tracked field: one change with old and new value, one
			// register of its own.
			// A row filter's column moves the row across the filter
			// (TestRowFilter), rather than logging an edit.
			filterCol := ""
			if ti.Filter != nil {
				filterCol = ti.Filter.Column
			}
			if len(tc.edits) != 0 && len(tc.edits) != len(ti.Columns) && !(filterCol != "" && len(tc.edits) == len(ti.Columns)-1) {
				t.Fatalf("test edits %d fields, the table tracks %d", len(tc.edits), len(ti.Columns))
			}
			for _, col := range ti.Columns {
				if col.Name == filterCol {
					continue
				}
				newV := tc.edits[col.Name]
				before := sqlitetest.Rows(t, c, `SELECT "`+col.Name+`" FROM `+tc.table+` WHERE `+where(ti, tc.entity))[0][0]
				regsBefore := registerRows(t, c)
				logBefore := logRows(t, c)
				sqlitetest.Exec(t, c, `UPDATE `+tc.table+` SET "`+col.Name+`" = `+newV+` WHERE `+where(ti, tc.entity))
				s := seq()
				after := sqlitetest.Rows(t, c, `SELECT "`+col.Name+`" FROM `+tc.table+` WHERE `+where(ti, tc.entity))[0][0]
				if got, want := logRows(t, c), logBefore+"\n"+lines(s, tc.table, tc.entity, `"`+col.Name+`"`, "2", before, after); got != want {
					t.Errorf("edit of %s logged:\n%s\nwant:\n%s", col.Name, got, want)
				}
				if got := registerRows(t, c); !strings.Contains(got, reg(tc.table, tc.entity, `"`+col.Name+`"`, s, 0)) || len(got) <= len(regsBefore) {
					t.Errorf("edit of %s registers:\n%s", col.Name, got)
				}
				// Setting the same value again records nothing.
				n := seq()
				sqlitetest.Exec(t, c, `UPDATE `+tc.table+` SET "`+col.Name+`" = `+newV+` WHERE `+where(ti, tc.entity))
				if seq() != n {
					t.Errorf("an update to the current value of %s was recorded", col.Name)
				}
			}

			logBefore := logRows(t, c)
			sqlitetest.Exec(t, c, tc.delete)
			del := seq()
			var want []string
			first := del - int64(len(ti.Columns))
			for i, col := range ti.Columns {
				old := sqlitetest.Rows(t, c, `SELECT old_value FROM local_changes WHERE seq = ?`, first+int64(i))[0][0]
				want = append(want, lines(first+int64(i), tc.table, tc.entity, `"`+col.Name+`"`, "3", old, "NULL"))
				if v, ok := tc.edits[col.Name]; ok {
					if sqlitetest.Rows(t, c, `SELECT `+v)[0][0] != old {
						t.Errorf("delete logged old %s = %s", col.Name, old)
					}
				}
			}
			want = append(want, lines(del, tc.table, tc.entity, `""`, "3", "NULL", "NULL"))
			if got := logRows(t, c); got != logBefore+"\n"+strings.Join(want, "\n") {
				t.Errorf("delete logged:\n%s\nwant:\n%s", got, logBefore+"\n"+strings.Join(want, "\n"))
			}
			if got := registerRows(t, c); !strings.HasSuffix(got, reg(tc.table, tc.entity, `""`, del, 1)) {
				t.Errorf("delete registers:\n%s", got)
			}
		})
	}
}

func lines(seq int64, table, entity, field, op, old, newV string) string {
	return strings.Join([]string{itoa(seq), `"` + table + `"`, entity, field, op, old, newV, "NULL"}, " | ")
}

func reg(table, entity, field string, seq int64, tomb int) string {
	return strings.Join([]string{`"` + table + `"`, entity, field, "NULL", itoa(seq), itoa(int64(tomb))}, " | ")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func where(t schema.TableInfo, entity string) string {
	if len(t.Key) == 1 {
		return `"` + t.Key[0].Name + `" = '` + strings.Trim(entity, `"`) + `'`
	}
	return `quote("` + t.Key[0].Name + `") || ',' || quote("` + t.Key[1].Name + `") = '` + strings.ReplaceAll(strings.Trim(entity, `"`), "'", "''") + `'`
}
