package lww

import (
	"strings"

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
