package lww

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// sqlKey names one generated statement: its kind, the table, and what else
// shapes it (a column, or which columns an upsert writes); bound marks the
// statement of a kind that takes table and field as arguments (fixedNames).
type sqlKey struct {
	kind, table, extra string
	bound              bool
}

// sqlText returns the statement text cached under k, generating it with
// build the first time: the per-record paths would otherwise quote and join
// the same identifiers for every record.
func (a *applier) sqlText(k sqlKey, build func() string) string {
	if s, ok := a.texts[k]; ok {
		return s
	}
	if a.texts == nil {
		a.texts = map[sqlKey]string{}
	}
	s := build()
	a.texts[k] = s
	return s
}

// prepared returns the statement cached under k, prepared from build's
// text the first time, reset and ready to bind: the per-record paths look
// their statements up by key, not by text.
func (a *applier) prepared(k sqlKey, build func() string) (*sqlite3.Stmt, error) {
	if s, ok := a.byKey[k]; ok {
		return s, s.Reset()
	}
	s, err := a.stmt(a.sqlText(k, build))
	if err != nil {
		return nil, err
	}
	if a.byKey == nil {
		a.byKey = map[sqlKey]*sqlite3.Stmt{}
	}
	a.byKey[k] = s
	return s, nil
}

// fixedNames reports whether the per-record statements (registersStmt,
// fieldRegisterStmt, logStmt, stampStmt) carry table and field written
// into them, as literals: text bound per record is copied into SQLite each
// time, and a table and field are the same for many records. Only the
// tables and columns this device syncs are written in, so that the names
// of a newer peer's schema (any number of them) cannot make a statement
// each; for those the statements take the names as arguments.
func (a *applier) fixedNames(table, field string) bool {
	t, ok := a.tables[table]
	return ok && (field == "" || t.HasColumn(field))
}

// nameKey returns the key under which a statement of kind for table and
// field is cached: one per table and field when fixed (fixedNames), else
// one for all such names.
func nameKey(kind, table, field string, fixed bool) sqlKey {
	if fixed {
		return sqlKey{kind: kind, table: table, extra: field}
	}
	return sqlKey{kind: kind, bound: true}
}

// nameText returns table and field as they go into a statement's text:
// SQL literals when fixed, else the parameters ?n and ?n+1.
func nameText(table, field string, n int, fixed bool) (t, f string) {
	if fixed {
		return triggers.Literal(table), triggers.Literal(field)
	}
	return "?" + strconv.Itoa(n), "?" + strconv.Itoa(n+1)
}

// nameArgs are the table and field that logStmt's and stampStmt's
// statements take as their last two arguments when the names are not
// written into them (fixedNames).
type nameArgs struct {
	table, field string
	bound        bool
}

// bind binds the names, if bound, as arguments i and i+1.
func (n nameArgs) bind(s *sqlite3.Stmt, i int) error {
	if !n.bound {
		return nil
	}
	if err := s.BindText(i, n.table); err != nil {
		return err
	}
	return s.BindText(i+1, n.field)
}

// registersStmt reads an entity's registers in field order: rows of
// (field, hlc, origin, tombstone), the existence register's field being
// "". Its arguments are set by bindEntity. One seek and a short scan cost
// less than a seek for each of the two registers a field record needs
// (and an IN list builds an ephemeral table on every run).
func (a *applier) registersStmt(table string) (*sqlite3.Stmt, error) {
	fixed := a.fixedNames(table, "")
	return a.prepared(nameKey("registers", table, "", fixed), func() string {
		t, _ := nameText(table, "", 2, fixed)
		return `SELECT field_name, hlc, origin, tombstone FROM field_timestamps
		WHERE entity_type = ` + t + ` AND entity_id = ?1 ORDER BY field_name`
	})
}

// fieldRegisterStmt reads one register of an entity: (hlc, origin,
// tombstone). Its arguments are set by bindEntity, then the field is ?3.
func (a *applier) fieldRegisterStmt(table string) (*sqlite3.Stmt, error) {
	fixed := a.fixedNames(table, "")
	return a.prepared(nameKey("register", table, "", fixed), func() string {
		t, _ := nameText(table, "", 2, fixed)
		return `SELECT hlc, origin, tombstone FROM field_timestamps
		WHERE entity_type = ` + t + ` AND entity_id = ?1 AND field_name = ?3`
	})
}

// bindEntity binds the arguments of registersStmt and fieldRegisterStmt:
// the entity, and the table unless its name is written into the statement.
func (a *applier) bindEntity(s *sqlite3.Stmt, table string, entity any) error {
	if err := capture.BindValue(s, 1, entity); err != nil {
		return err
	}
	if a.fixedNames(table, "") {
		return nil
	}
	return s.BindText(2, table)
}

// logStmt appends a change to the log. Its arguments are the entity, op,
// new value, hlc, origin and sender, then the names it returns.
func (a *applier) logStmt(table, field string) (*sqlite3.Stmt, nameArgs, error) {
	fixed := a.fixedNames(table, field)
	s, err := a.prepared(nameKey("log", table, field, fixed), func() string {
		t, f := nameText(table, field, 7, fixed)
		return `INSERT INTO local_changes (entity_type, entity_id, field_name, op, new_value, hlc, origin, sender)
		VALUES (` + t + `, ?1, ` + f + `, ?2, ?3, ?4, ?5, ?6)`
	})
	return s, nameArgs{table, field, !fixed}, err
}

// stampStmt stamps a register with the change just logged. Its arguments
// are the entity, hlc, origin and tombstone, then the names it returns. A
// keyed table's register goes under its entity's key, which is then the
// first argument instead of the entity (entityKey); its table's name is
// not stored, and the statement only checks it is set.
func (a *applier) stampStmt(table, field string) (*sqlite3.Stmt, nameArgs, error) {
	fixed, keyed := a.fixedNames(table, field), a.keyed(table)
	kind := "stamp"
	if keyed {
		kind = "stamp keyed" // a statement of its own, bound names or not
	}
	s, err := a.prepared(nameKey(kind, table, field, fixed), func() string {
		t, f := nameText(table, field, 5, fixed)
		if keyed {
			return `INSERT INTO capture_keyed_registers (key, field_name, hlc, origin, seq, tombstone)
			SELECT ?1, ` + f + `, ?2, ?3, last_insert_rowid(), ?4 WHERE ` + t + ` IS NOT NULL
			ON CONFLICT DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin, seq = excluded.seq, tombstone = excluded.tombstone`
		}
		return `INSERT INTO capture_registers (entity_type, entity_id, field_name, hlc, origin, seq, tombstone)
		VALUES (` + t + `, ?1, ` + f + `, ?2, ?3, last_insert_rowid(), ?4)
		ON CONFLICT DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin, seq = excluded.seq, tombstone = excluded.tombstone`
	})
	return s, nameArgs{table, field, !fixed}, err
}

// keyed reports whether table's registers are kept under an entity key
// (schema.TableInfo.Keyed): a table this device syncs only; a newer
// peer's table keeps its registers under the entity id.
func (a *applier) keyed(table string) bool {
	t, ok := a.tables[table]
	return ok && t.Keyed()
}

// entityKeySQL returns the text of the statement that reads the key of an
// entity of table: its argument is the entity.
func entityKeySQL(table string) func() string {
	return func() string {
		return `SELECT key FROM capture_entities WHERE entity_type = ` + triggers.Literal(table) + ` AND entity_id = ?1`
	}
}

// entityKey returns the key of an entity of a keyed table, giving it one
// if it has none: an insert that does nothing when the entity has a key,
// and a lookup then.
func (a *applier) entityKey(table string, entity any) (int64, error) {
	ins, err := a.prepared(sqlKey{kind: "entity", table: table}, func() string {
		return `INSERT INTO capture_entities (entity_type, entity_id) VALUES (` + triggers.Literal(table) + `, ?1) ON CONFLICT DO NOTHING`
	})
	if err != nil {
		return 0, err
	}
	if err := capture.BindValue(ins, 1, entity); err != nil {
		return 0, err
	}
	if err := ins.Exec(); err != nil {
		return 0, err
	}
	if a.conn.Changes() == 1 {
		return a.conn.LastInsertRowID(), nil
	}
	get, err := a.prepared(sqlKey{kind: "entity key", table: table}, entityKeySQL(table))
	if err != nil {
		return 0, err
	}
	if err := capture.BindValue(get, 1, entity); err != nil {
		return 0, err
	}
	if !get.Step() {
		return 0, firstErr(get.Err(), fmt.Errorf("no key for %s %v", table, entity))
	}
	key := get.ColumnInt64(0)
	return key, get.Reset()
}

// selectRowSQL reads a row's key and tracked columns by its key.
func (a *applier) selectRowSQL(t schema.TableInfo) string {
	return a.sqlText(sqlKey{kind: "select", table: t.Name}, func() string {
		return `SELECT ` + strings.Join(quoteAll(columns(t)), ", ") + ` FROM ` + triggers.Quote(t.Name) + ` WHERE ` + keyWhere(t)
	})
}

// updateFieldStmt writes one column of a row, by its key: the arguments
// are the value, then the key's values.
func (a *applier) updateFieldStmt(t schema.TableInfo, field string) (*sqlite3.Stmt, error) {
	return a.prepared(sqlKey{kind: "update", table: t.Name, extra: field}, func() string {
		return `UPDATE ` + triggers.Quote(t.Name) + ` SET ` + triggers.Quote(field) + ` = ? WHERE ` + keyWhere(t)
	})
}

// deleteRowSQL deletes a row by its key.
func (a *applier) deleteRowSQL(t schema.TableInfo) string {
	return a.sqlText(sqlKey{kind: "delete", table: t.Name}, func() string {
		return `DELETE FROM ` + triggers.Quote(t.Name) + ` WHERE ` + keyWhere(t)
	})
}

// parentSQL looks a foreign key's parent row up.
func (a *applier) parentSQL(fk foreignKey) string {
	return a.sqlText(sqlKey{kind: "parent", table: fk.parent, extra: fk.to}, func() string {
		return `SELECT 1 FROM ` + triggers.Quote(fk.parent) + ` WHERE ` + triggers.Quote(fk.to) + ` = ? LIMIT 1`
	})
}

// insertSQL inserts a row unless its key is taken; names and mask are as
// for upsertSQL.
func (a *applier) insertSQL(t schema.TableInfo, names []string, mask string) string {
	return a.sqlText(sqlKey{kind: "insert", table: t.Name, extra: mask}, func() string {
		keys := strings.Join(quoteAll(names[:len(t.Key)]), ", ")
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")
		return `INSERT INTO ` + triggers.Quote(t.Name) + ` (` + strings.Join(quoteAll(names), ", ") + `) VALUES (` + marks + `) ON CONFLICT (` + keys + `) DO NOTHING`
	})
}

// upsertSQL inserts a row or updates the columns given, names being the
// key columns then the tracked columns written, in t's order; mask says
// which of t.Columns those are ('1' for written).
func (a *applier) upsertSQL(t schema.TableInfo, names []string, mask string) string {
	return a.sqlText(sqlKey{kind: "upsert", table: t.Name, extra: mask}, func() string {
		keys := strings.Join(quoteAll(names[:len(t.Key)]), ", ")
		var sets []string
		for _, n := range names[len(t.Key):] {
			sets = append(sets, triggers.Quote(n)+" = excluded."+triggers.Quote(n))
		}
		conflict := " ON CONFLICT (" + keys + ") DO NOTHING"
		if len(sets) > 0 {
			conflict = " ON CONFLICT (" + keys + ") DO UPDATE SET " + strings.Join(sets, ", ")
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")
		return `INSERT INTO ` + triggers.Quote(t.Name) + ` (` + strings.Join(quoteAll(names), ", ") + `) VALUES (` + marks + `)` + conflict
	})
}

// updateSQL writes the columns given over a row, by its key: names and
// mask are as for upsertSQL; the arguments are the columns' values, then
// the key's.
func (a *applier) updateSQL(t schema.TableInfo, names []string, mask string) string {
	return a.sqlText(sqlKey{kind: "update-row", table: t.Name, extra: mask}, func() string {
		sets := quoteAll(names[len(t.Key):])
		for i := range sets {
			sets[i] += " = ?"
		}
		return `UPDATE ` + triggers.Quote(t.Name) + ` SET ` + strings.Join(sets, ", ") + ` WHERE ` + keyWhere(t)
	})
}

// existsSQL finds a row by its key.
func (a *applier) existsSQL(t schema.TableInfo) string {
	return a.sqlText(sqlKey{kind: "exists", table: t.Name}, func() string {
		return `SELECT 1 FROM ` + triggers.Quote(t.Name) + ` WHERE ` + keyWhere(t)
	})
}
