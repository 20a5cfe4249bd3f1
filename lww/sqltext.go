package lww

import (
	"strconv"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// sqlKey names one generated statement: its kind, the table, and what else
// shapes it (a column, or which columns an upsert writes).
type sqlKey struct {
	kind, table, extra string
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

// fixedNames reports whether the statements of registersSQL and takeSQL
// carry table and field written into them, as literals: text bound per
// record is copied into SQLite each time, and a table and field are the
// same for many records. Only the tables and columns this device syncs are
// written in, so that the names of a newer peer's schema (any number of
// them) cannot make a statement each; for those the statements take the
// table and field as the last two arguments.
func (a *applier) fixedNames(table, field string) bool {
	t, ok := a.tables[table]
	return ok && (field == "" || t.HasColumn(field))
}

// names returns the key under which a statement of kind for table and
// field is cached, and the table and field as they go into its text: SQL
// literals when fixed (fixedNames), else the parameters ?n and ?n+1 (and a
// key shared by all such names).
func names(kind, table, field string, n int, fixed bool) (k sqlKey, t, f string) {
	if fixed {
		return sqlKey{kind, table, field}, triggers.Literal(table), triggers.Literal(field)
	}
	return sqlKey{kind + " (bound names)", "", ""}, "?" + strconv.Itoa(n), "?" + strconv.Itoa(n+1)
}

// nameArgs are the table and field that the statements of registersSQL
// and takeSQL take as their last two arguments when the names are not
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

// registersSQL reads an entity's existence register and, if field is not
// "", the field's: rows of (0 for existence or 1, hlc, origin, tombstone).
// Its arguments are the entity, then the names it returns.
func (a *applier) registersSQL(table, field string) (sql string, args nameArgs) {
	fixed := a.fixedNames(table, field)
	k, t, f := names("registers", table, field, 2, fixed)
	sql = a.sqlText(k, func() string {
		q := `SELECT 0, hlc, origin, tombstone FROM field_timestamps WHERE entity_type = ` + t + ` AND entity_id = ?1 AND field_name = ''`
		if field != "" || !fixed {
			q += ` UNION ALL SELECT 1, hlc, origin, tombstone FROM field_timestamps WHERE entity_type = ` + t +
				` AND entity_id = ?1 AND field_name = ` + f + ` AND ` + f + ` <> ''`
		}
		return q
	})
	return sql, nameArgs{table, field, !fixed}
}

// takeSQL appends a change to the log (arguments: entity, op, new value,
// hlc, origin) and stamps its register (entity, hlc, origin, tombstone),
// each followed by the names it returns.
func (a *applier) takeSQL(table, field string) (log, stamp string, args nameArgs) {
	fixed := a.fixedNames(table, field)
	k, t, f := names("log", table, field, 6, fixed)
	log = a.sqlText(k, func() string {
		return `INSERT INTO local_changes (entity_type, entity_id, field_name, op, new_value, hlc, origin)
		VALUES (` + t + `, ?1, ` + f + `, ?2, ?3, ?4, ?5)`
	})
	k, t, f = names("stamp", table, field, 5, fixed)
	stamp = a.sqlText(k, func() string {
		return `INSERT INTO field_timestamps (entity_type, entity_id, field_name, hlc, origin, seq, tombstone)
		VALUES (` + t + `, ?1, ` + f + `, ?2, ?3, last_insert_rowid(), ?4)
		ON CONFLICT DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin, seq = excluded.seq, tombstone = excluded.tombstone`
	})
	return log, stamp, nameArgs{table, field, !fixed}
}

// selectRowSQL reads a row's key and tracked columns by its key.
func (a *applier) selectRowSQL(t schema.TableInfo) string {
	return a.sqlText(sqlKey{"select", t.Name, ""}, func() string {
		return `SELECT ` + strings.Join(quoteAll(columns(t)), ", ") + ` FROM ` + triggers.Quote(t.Name) + ` WHERE ` + keyWhere(t)
	})
}

// updateFieldSQL writes one column of a row, by its key.
func (a *applier) updateFieldSQL(t schema.TableInfo, field string) string {
	return a.sqlText(sqlKey{"update", t.Name, field}, func() string {
		return `UPDATE ` + triggers.Quote(t.Name) + ` SET ` + triggers.Quote(field) + ` = ? WHERE ` + keyWhere(t)
	})
}

// deleteRowSQL deletes a row by its key.
func (a *applier) deleteRowSQL(t schema.TableInfo) string {
	return a.sqlText(sqlKey{"delete", t.Name, ""}, func() string {
		return `DELETE FROM ` + triggers.Quote(t.Name) + ` WHERE ` + keyWhere(t)
	})
}

// parentSQL looks a foreign key's parent row up.
func (a *applier) parentSQL(fk foreignKey) string {
	return a.sqlText(sqlKey{"parent", fk.parent, fk.to}, func() string {
		return `SELECT 1 FROM ` + triggers.Quote(fk.parent) + ` WHERE ` + triggers.Quote(fk.to) + ` = ? LIMIT 1`
	})
}

// insertSQL inserts a row unless its key is taken; names and mask are as
// for upsertSQL.
func (a *applier) insertSQL(t schema.TableInfo, names []string, mask string) string {
	return a.sqlText(sqlKey{"insert", t.Name, mask}, func() string {
		keys := strings.Join(quoteAll(names[:len(t.Key)]), ", ")
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")
		return `INSERT INTO ` + triggers.Quote(t.Name) + ` (` + strings.Join(quoteAll(names), ", ") + `) VALUES (` + marks + `) ON CONFLICT (` + keys + `) DO NOTHING`
	})
}

// upsertSQL inserts a row or updates the columns given, names being the
// key columns then the tracked columns written, in t's order; mask says
// which of t.Columns those are ('1' for written).
func (a *applier) upsertSQL(t schema.TableInfo, names []string, mask string) string {
	return a.sqlText(sqlKey{"upsert", t.Name, mask}, func() string {
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
