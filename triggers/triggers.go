// Package triggers generates the capture triggers: pure-SQL AFTER INSERT,
// AFTER UPDATE OF <column> and AFTER DELETE triggers that record every change
// to a synced table in local_changes and its registers (read as the
// field_timestamps view; schema.TableInfo.Keyed says which of the tables
// behind it keep a table's), in the same transaction as the change, with a hybrid logical clock stamp computed in
// SQL. No trigger calls a Go function, so edits from any SQLite client are
// captured alike.
//
// The generated SQL is deterministic, quotes every identifier and runs on
// SQLite 3.22 and later (Android 9, iOS 12): no upsert, no RETURNING, no
// UPDATE ... FROM.
package triggers

import (
	"fmt"
	"strings"

	"github.com/capture-sync/capture/schema"
)

// Prefix starts the name of every trigger this package generates, so the
// engine can tell its triggers from the app's.
const Prefix = "capture:"

// Trigger is one generated trigger.
type Trigger struct {
	// Name is the trigger's name, unquoted.
	Name string
	// SQL is the CREATE TRIGGER statement, without a trailing semicolon:
	// exactly what SQLite stores in sqlite_schema.sql.
	SQL string
}

// Generate returns the capture triggers of one table, in a fixed order:
// insert, one update trigger per tracked column, delete, then the two
// triggers that record a key change as a delete and an insert.
func Generate(t schema.TableInfo) []Trigger {
	g := gen{t: t}
	var out []Trigger
	out = append(out, g.insert())
	for _, c := range t.Columns {
		out = append(out, g.update(c))
	}
	out = append(out, g.delete())
	out = append(out, g.keyChange()...)
	return out
}

// GenerateAll returns the triggers of every table, table by table, then
// the foreign-key triggers (ForeignKeys) and the row-filter triggers
// (Filters) of every table.
func GenerateAll(tables []schema.TableInfo) []Trigger {
	var out []Trigger
	for _, t := range tables {
		out = append(out, Generate(t)...)
	}
	for _, t := range tables {
		out = append(out, ForeignKeys(t)...)
	}
	for _, t := range tables {
		out = append(out, Filters(t, tables)...)
	}
	return out
}

// Script returns triggers as one SQL script, each statement ending in a
// semicolon and a blank line.
func Script(triggers []Trigger) string {
	var b strings.Builder
	for _, tr := range triggers {
		b.WriteString(tr.SQL)
		b.WriteString(";\n\n")
	}
	return b.String()
}

// Quote returns s as a quoted SQL identifier.
func Quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Literal returns s as a quoted SQL string literal.
func Literal(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

// name builds a trigger name from its parts, escaping ':' and '%' in them so
// that different parts never give the same name.
func name(parts ...string) string {
	esc := strings.NewReplacer("%", "%25", ":", "%3A")
	for i, p := range parts {
		parts[i] = esc.Replace(p)
	}
	return Prefix + strings.Join(parts, ":")
}

// Operation codes stored in local_changes.op.
const (
	OpInsert = 1
	OpUpdate = 2
	OpDelete = 3
)

// gen writes the triggers of one table.
type gen struct{ t schema.TableInfo }

// EntityID returns the SQL expression of the entity id of the row named by
// ref (NEW or OLD): the key value itself for a one-column key; for a
// composite key, each key value's SQL literal form (quote()) joined by
// commas, which keeps type and bytes and can be read back unambiguously.
func EntityID(t schema.TableInfo, ref string) string {
	if len(t.Key) == 1 {
		return ref + "." + Quote(t.Key[0].Name)
	}
	parts := make([]string, len(t.Key))
	for i, k := range t.Key {
		parts[i] = "quote(" + ref + "." + Quote(k.Name) + ")"
	}
	return strings.Join(parts, " || ',' || ")
}

// clock is the SQL expression of the next HLC stamp: the wall clock in
// milliseconds shifted past the 16-bit counter, or one above the last stamp
// issued (the newest local_changes row) or seen (sync_state.hlc), whichever
// is higher. julianday('now') is used because it gives milliseconds on every
// SQLite version (unixepoch('subsec') needs 3.42).
const clock = `max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, ` +
	`(SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ` +
	`ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1)`

// nextClock is the stamp of a change logged right after another in the same
// trigger: one above it. The statement's 'now' does not move, so the full
// clock would give the same.
const nextClock = `(SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1`

// notApplying is the condition under which the triggers capture: no remote
// changeset is being applied.
const notApplying = `(SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL`

// when returns the WHEN clause for the row ref, with extra conditions.
func (g gen) when(ref string, extra ...string) string {
	conds := append(extra, notApplying)
	if c := Syncs(g.t, ref); c != "1" {
		conds = append(conds, c)
	}
	return "WHEN " + strings.Join(conds, "\n  AND ")
}

// logChange returns the statement that appends one change to local_changes.
// The change's stamp is the expression hlc: clock, or nextClock after
// another change of the same trigger.
func (g gen) logChange(ref, field string, op int, oldV, newV, hlc string) string {
	return fmt.Sprintf(`  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES (%s, %s, %s, %d, %s, %s, %s);`,
		Literal(g.t.Name), EntityID(g.t, ref), Literal(field), op, oldV, newV, hlc)
}

// stamp returns the statements that set the register of the change just
// logged, field of the row ref, to that change's stamp and sequence number:
// an UPDATE of the register, then an INSERT if there was none. Neither can
// meet a conflict, so the conflict policy of the app's statement (INSERT OR
// IGNORE, UPDATE OR FAIL...), which SQLite imposes on every statement of a
// trigger, cannot skip or fail them; and both parse on SQLite 3.22, which
// has no upsert. changes() is the UPDATE's count: SQLite resets it after
// each statement of a trigger. The entity id is compared with a unary +,
// which takes away a key column's affinity: the engine's entity_id columns
// have none, and an INTEGER key's numeric affinity would apply to it and
// keep SQLite from searching their primary key (a scan per edit).
//
// A keyed table's register (schema.TableInfo.Keyed) is kept under its
// entity's key, which entity (run before the change is logged) made.
func (g gen) stamp(ref, field string, tombstone int) string {
	if g.t.Keyed() {
		key := fmt.Sprintf(`(SELECT "key" FROM "capture_entities" WHERE "entity_type" = %s AND "entity_id" = %s)`,
			Literal(g.t.Name), "+"+EntityID(g.t, ref))
		return fmt.Sprintf(`  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = %[3]d
  WHERE "key" = %[1]s AND "field_name" = %[2]s;
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT %[1]s, %[2]s, "hlc", NULL, "seq", %[3]d FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;`,
			key, Literal(field), tombstone)
	}
	return fmt.Sprintf(`  UPDATE "capture_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = %[4]d
  WHERE "entity_type" = %[1]s AND "entity_id" = %[2]s AND "field_name" = %[3]s;
  INSERT INTO "capture_registers" ("entity_type", "entity_id", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT "entity_type", "entity_id", "field_name", "hlc", NULL, "seq", %[4]d FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;`,
		Literal(g.t.Name), "+"+EntityID(g.t, ref), Literal(field), tombstone)
}

// entity returns, for a keyed table, the statement that gives the row
// ref's entity its key if it has none yet; "" for another table. It comes
// before the change is logged: its insert moves last_insert_rowid(), which
// stamp reads. It cannot meet a conflict either.
func (g gen) entity(ref string) string {
	if !g.t.Keyed() {
		return ""
	}
	id := EntityID(g.t, ref)
	return fmt.Sprintf(`  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT %[1]s, %[2]s
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = %[1]s AND "entity_id" = +%[2]s);
`, Literal(g.t.Name), id)
}

// nullKeyGuard refuses a NULL key where SQLite would allow one: such a row
// has no entity id to record.
func (g gen) nullKeyGuard(ref string) string {
	if !g.t.NullableKey {
		return ""
	}
	conds := make([]string, len(g.t.Key))
	for i, k := range g.t.Key {
		conds[i] = ref + "." + Quote(k.Name) + " IS NULL"
	}
	msg := Literal("capture: NULL primary key in table " + g.t.Name + " cannot be synced")
	return fmt.Sprintf("  SELECT RAISE(ABORT, %s) WHERE %s;\n", msg, strings.Join(conds, " OR "))
}

// insertBody records the row ref as inserted: one row-level change and the
// existence register, which stamps every field at once.
func (g gen) insertBody(ref string) string {
	return g.nullKeyGuard(ref) + g.entity(ref) + g.logChange(ref, "", OpInsert, "NULL", "NULL", clock) + "\n" + g.stamp(ref, "", 0) + "\n"
}

// deleteBody records the row ref as deleted: the old value of every tracked
// field (for undo and audit), then the row-level change and the tombstone.
func (g gen) deleteBody(ref string) string {
	var b strings.Builder
	b.WriteString(g.entity(ref))
	hlc := clock
	for _, c := range g.t.Columns {
		b.WriteString(g.logChange(ref, c.Name, OpDelete, ref+"."+Quote(c.Name), "NULL", hlc))
		b.WriteString("\n")
		hlc = nextClock
	}
	b.WriteString(g.logChange(ref, "", OpDelete, "NULL", "NULL", hlc))
	b.WriteString("\n")
	b.WriteString(g.stamp(ref, "", 1))
	b.WriteString("\n")
	return b.String()
}

// keySame is the condition that the row's key did not change.
func (g gen) keySame() []string {
	conds := make([]string, len(g.t.Key))
	for i, k := range g.t.Key {
		conds[i] = "OLD." + Quote(k.Name) + " IS NEW." + Quote(k.Name)
	}
	return conds
}

// RowNames returns the names of t's triggers that log a row coming into
// the table, by an insert or a key change: while one of them is missing, a
// row can be written without a register (see capture.Engine.Adopt).
func RowNames(t schema.TableInfo) []string {
	return []string{name(t.Name, "insert"), name(t.Name, "key", "insert")}
}

func (g gen) insert() Trigger {
	n := name(g.t.Name, "insert")
	return Trigger{Name: n, SQL: fmt.Sprintf("CREATE TRIGGER %s AFTER INSERT ON %s\n%s\nBEGIN\n%sEND",
		Quote(n), Quote(g.t.Name), g.when("NEW"), g.insertBody("NEW"))}
}

func (g gen) update(c schema.Column) Trigger {
	n := name(g.t.Name, "update", c.Name)
	col := Quote(c.Name)
	conds := append([]string{"OLD." + col + " IS NOT NEW." + col}, g.keySame()...)
	if g.t.Filter != nil {
		// A row that crosses the filter is the leave and enter triggers'.
		conds = append(conds, inFilter(g.t, "OLD"))
	}
	body := g.entity("NEW") + g.logChange("NEW", c.Name, OpUpdate, "OLD."+col, "NEW."+col, clock) + "\n" + g.stamp("NEW", c.Name, 0) + "\n"
	return Trigger{Name: n, SQL: fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE OF %s ON %s\n%s\nBEGIN\n%sEND",
		Quote(n), col, Quote(g.t.Name), g.when("NEW", conds...), body)}
}

func (g gen) delete() Trigger {
	n := name(g.t.Name, "delete")
	return Trigger{Name: n, SQL: fmt.Sprintf("CREATE TRIGGER %s AFTER DELETE ON %s\n%s\nBEGIN\n%sEND",
		Quote(n), Quote(g.t.Name), g.when("OLD"), g.deleteBody("OLD"))}
}

// keyChange records an UPDATE of a key column as the delete of the old key
// and the insert of the new one (two triggers, since with device-local keys
// either side may be local).
func (g gen) keyChange() []Trigger {
	cols := make([]string, len(g.t.Key))
	changed := make([]string, len(g.t.Key))
	for i, k := range g.t.Key {
		cols[i] = Quote(k.Name)
		changed[i] = "OLD." + Quote(k.Name) + " IS NOT NEW." + Quote(k.Name)
	}
	keyChanged := "(" + strings.Join(changed, " OR ") + ")"
	of := strings.Join(cols, ", ")
	del := name(g.t.Name, "key", "delete")
	ins := name(g.t.Name, "key", "insert")
	return []Trigger{
		{Name: del, SQL: fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE OF %s ON %s\n%s\nBEGIN\n%sEND",
			Quote(del), of, Quote(g.t.Name), g.when("OLD", keyChanged), g.deleteBody("OLD"))},
		{Name: ins, SQL: fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE OF %s ON %s\n%s\nBEGIN\n%sEND",
			Quote(ins), of, Quote(g.t.Name), g.when("NEW", keyChanged), g.insertBody("NEW"))},
	}
}
