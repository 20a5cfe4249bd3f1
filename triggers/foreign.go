package triggers

import (
	"fmt"
	"strings"

	"github.com/capture-sync/capture/schema"
)

// The foreign-key triggers hold the foreign keys between synced tables
// whatever the connection's foreign_keys setting. The sqlite3 shell and
// Python's sqlite3 module edit with it off by default: SQLite then neither
// cascades a delete nor refuses an orphan, and the devices that apply the
// edit (foreign keys on) would end with other rows.
//
// With foreign_keys on they find nothing to do: SQLite's own cascade runs
// before AFTER triggers, and it refuses orphans too. A trigger cannot read
// the setting: pragma_foreign_keys is a virtual table that SQLite refuses
// in triggers where trusted_schema is off (as in ncruces/go-sqlite3). One
// difference remains: the check of a child's parent is immediate, row by
// row, so a connection that defers foreign keys (PRAGMA defer_foreign_keys,
// DEFERRABLE INITIALLY DEFERRED) cannot insert a child before its parent
// in a transaction; the app's schema defers none. The engine's own apply
// (sync_state.applying) is not checked: it orders and checks what it
// writes itself.
//
// For each foreign key: the child's insert, and the update of its
// columns, are refused when the parent row is missing; the parent's delete
// does what ON DELETE declares (CASCADE deletes the children, at every
// depth for a table that references itself; SET NULL clears their
// columns; anything else refuses while children exist); a change of the
// parent's referenced columns is refused while children exist (no ON
// UPDATE action is carried out). Rows deleted or updated by these
// triggers are captured like any other.

// ForeignKeys returns the foreign-key triggers of t's foreign keys, in
// their order: for each, the child's insert and update checks, the parent's
// delete action and the parent's key change check.
func ForeignKeys(t schema.TableInfo) []Trigger {
	var out []Trigger
	for i, fk := range t.ForeignKeys {
		f := fkGen{t: t.Name, fk: fk, n: fmt.Sprintf("fk%d", i)}
		out = append(out, f.childInsert(), f.childUpdate(), f.parentDelete(), f.parentKey())
	}
	return out
}

type fkGen struct {
	t  string
	fk schema.ForeignKey
	n  string
}

// message is the error of a refused edit, which names the constraint.
func (f fkGen) message() string {
	return Literal(fmt.Sprintf("FOREIGN KEY constraint failed: %s(%s) REFERENCES %s(%s)",
		f.t, strings.Join(f.fk.Columns, ", "), f.fk.Parent, strings.Join(f.fk.ParentColumns, ", ")))
}

// match is the condition that a child row (alias child) references the
// parent row ref.
func (f fkGen) match(child, ref string) string {
	conds := make([]string, len(f.fk.Columns))
	for i, c := range f.fk.Columns {
		conds[i] = child + Quote(c) + " = " + ref + "." + Quote(f.fk.ParentColumns[i])
	}
	return strings.Join(conds, " AND ")
}

// orphan is the condition that the child row NEW references a parent row
// that is not there (a reference with a NULL column references nothing).
func (f fkGen) orphan() string {
	conds := make([]string, len(f.fk.Columns))
	parent := make([]string, len(f.fk.Columns))
	for i, c := range f.fk.Columns {
		conds[i] = "NEW." + Quote(c) + " IS NOT NULL"
		parent[i] = Quote(f.fk.ParentColumns[i]) + " = NEW." + Quote(c)
	}
	return strings.Join(conds, " AND ") + fmt.Sprintf(" AND NOT EXISTS (SELECT 1 FROM %s WHERE %s)",
		Quote(f.fk.Parent), strings.Join(parent, " AND "))
}

func (f fkGen) childInsert() Trigger {
	n := name(f.t, f.n, "insert")
	return Trigger{Name: n, SQL: fmt.Sprintf("CREATE TRIGGER %s BEFORE INSERT ON %s\nWHEN %s\nBEGIN\n  SELECT RAISE(ABORT, %s) WHERE %s;\nEND",
		Quote(n), Quote(f.t), notApplying, f.message(), f.orphan())}
}

func (f fkGen) childUpdate() Trigger {
	n := name(f.t, f.n, "update")
	cols := make([]string, len(f.fk.Columns))
	for i, c := range f.fk.Columns {
		cols[i] = Quote(c)
	}
	return Trigger{Name: n, SQL: fmt.Sprintf("CREATE TRIGGER %s BEFORE UPDATE OF %s ON %s\nWHEN %s\nBEGIN\n  SELECT RAISE(ABORT, %s) WHERE %s;\nEND",
		Quote(n), strings.Join(cols, ", "), Quote(f.t), notApplying, f.message(), f.orphan())}
}

// parentDelete carries out ON DELETE after a parent row is deleted, or
// refuses the delete while children exist.
func (f fkGen) parentDelete() Trigger {
	n := name(f.t, f.n, "parent", "delete")
	child, parent := Quote(f.t), Quote(f.fk.Parent)
	var body string
	switch {
	case f.fk.OnDelete == "CASCADE" && f.t == f.fk.Parent && len(f.fk.Columns) == 1:
		// SQLite does not run a trigger again from its own body: the
		// whole subtree goes at once.
		c, p := Quote(f.fk.Columns[0]), Quote(f.fk.ParentColumns[0])
		body = fmt.Sprintf(`  DELETE FROM %[1]s WHERE %[3]s IN (WITH RECURSIVE "sub"("v") AS (SELECT %[3]s FROM %[1]s WHERE %[2]s = OLD.%[3]s UNION SELECT "c".%[3]s FROM %[1]s AS "c" JOIN "sub" ON "c".%[2]s = "sub"."v") SELECT "v" FROM "sub");`,
			child, c, p)
	case f.fk.OnDelete == "CASCADE":
		body = fmt.Sprintf("  DELETE FROM %s WHERE %s;", child, f.match("", "OLD"))
	case f.fk.OnDelete == "SET NULL":
		sets := make([]string, len(f.fk.Columns))
		for i, c := range f.fk.Columns {
			sets[i] = Quote(c) + " = NULL"
		}
		body = fmt.Sprintf("  UPDATE %s SET %s WHERE %s;", child, strings.Join(sets, ", "), f.match("", "OLD"))
	default:
		body = fmt.Sprintf("  SELECT RAISE(ABORT, %s) WHERE EXISTS (SELECT 1 FROM %s WHERE %s);", f.message(), child, f.match("", "OLD"))
	}
	return Trigger{Name: n, SQL: fmt.Sprintf("CREATE TRIGGER %s AFTER DELETE ON %s\nWHEN %s\nBEGIN\n%s\nEND",
		Quote(n), parent, notApplying, body)}
}

// parentKey refuses a change of the parent's referenced columns while
// children reference the old values.
func (f fkGen) parentKey() Trigger {
	n := name(f.t, f.n, "parent", "key")
	cols := make([]string, len(f.fk.ParentColumns))
	changed := make([]string, len(f.fk.ParentColumns))
	for i, c := range f.fk.ParentColumns {
		cols[i] = Quote(c)
		changed[i] = "OLD." + Quote(c) + " IS NOT NEW." + Quote(c)
	}
	return Trigger{Name: n, SQL: fmt.Sprintf("CREATE TRIGGER %s BEFORE UPDATE OF %s ON %s\nWHEN (%s) AND %s\nBEGIN\n  SELECT RAISE(ABORT, %s) WHERE EXISTS (SELECT 1 FROM %s WHERE %s);\nEND",
		Quote(n), strings.Join(cols, ", "), Quote(f.fk.Parent), strings.Join(changed, " OR "), notApplying, f.message(), Quote(f.t), f.match("", "OLD"))}
}
