package lww

import (
	"slices"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
)

// foldStrays folds into their classes the rows the app wrote since the
// last Apply to a member of a class: to the survivor's row (its edits are
// the survivor's), or under a merged-away id (a row inserted under it
// again, an undo, a tag assignment naming it). The row's values join the
// member's own, and the class's row is written again.
func (a *applier) foldStrays() error {
	var from, to int64
	err := a.query(`SELECT folded_seq, coalesce((SELECT max(seq) FROM local_changes), 0) FROM sync_state WHERE id = 1`, nil,
		func(s *sqlite3.Stmt) error {
			from, to = s.ColumnInt64(0), s.ColumnInt64(1)
			return nil
		})
	if err != nil || from >= to {
		return err
	}
	if a.aliasesAny {
		type entity struct {
			table string
			id    any
		}
		var list []entity
		err := a.query(`SELECT DISTINCT entity_type, entity_id FROM local_changes WHERE seq > ?`, []any{from},
			func(s *sqlite3.Stmt) error {
				list = append(list, entity{s.ColumnText(0), capture.ColumnValue(s, 1)})
				return nil
			})
		if err != nil {
			return err
		}
		// Every row the app wrote joins its member's state before any
		// class is written again: writing one class's row may take
		// another's out of its table (a repointed reference).
		type stray struct {
			t  schema.TableInfo
			id any
		}
		var strays []stray
		for _, en := range list {
			t, ok := a.tables[en.table]
			if !ok {
				continue
			}
			c, err := a.classOf(t, en.id)
			if err != nil {
				return err
			}
			if c == nil {
				continue
			}
			if err := a.refreshMember(t, en.id); err != nil {
				return err
			}
			strays = append(strays, stray{t, en.id})
		}
		for _, en := range strays {
			t := en.t
			c, err := a.classOf(t, en.id) // written again since, maybe
			if err != nil {
				return err
			}
			if c == nil {
				continue
			}
			// The app's writes to the survivor's row count as the
			// survivor's, and the class's row follows the class's rule
			// (an insert's NULL does not hide another member's value).
			if err := a.recombine(c, 0); err != nil {
				return err
			}
			if capture.CompareEntityIDs(c.rep, en.id) != 0 {
				if err := a.deriveChildren(t, en.id, 0); err != nil {
					return err
				}
			}
		}
	}
	return a.exec(`UPDATE sync_state SET folded_seq = ? WHERE id = 1`, to)
}

// replayClasses writes again the row of each class that is out of its
// table: its parent may have come back since without an Apply placing it
// (the app inserted it again), as replay does for parked rows.
func (a *applier) replayClasses() error {
	return a.eachClass(func(t schema.TableInfo, rep any) error {
		if row, err := a.tableRow(t, rep); err != nil || len(row) > 0 {
			return err
		}
		return a.recombineIfMember(t, rep, 0)
	})
}

// eachClass calls fn with the table and survivor of every class of a
// table this device syncs.
func (a *applier) eachClass(fn func(t schema.TableInfo, rep any) error) error {
	if !a.aliasesAny {
		return nil
	}
	type rep struct {
		table string
		id    any
	}
	var reps []rep
	err := a.query(`SELECT DISTINCT entity_type, survivor FROM entity_aliases`, nil, func(s *sqlite3.Stmt) error {
		reps = append(reps, rep{s.ColumnText(0), capture.ColumnValue(s, 1)})
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range reps {
		t, ok := a.tables[r.table]
		if !ok {
			continue
		}
		if err := fn(t, r.id); err != nil {
			return err
		}
	}
	return nil
}

// deriveChildren brings every row of the tables whose key references
// parent row m, in its table or not (its registers), into its derived
// class: m is merged away.
func (a *applier) deriveChildren(parent schema.TableInfo, m any, depth int) error {
	if len(parent.Key) != 1 {
		return nil
	}
	for child, fks := range a.fks {
		ct := a.tables[child]
		for _, fk := range fks {
			if fk.parent != parent.Name || fk.to != parent.Key[0].Name || !ct.IsKey(fk.from) {
				continue
			}
			ids, err := a.entitiesNaming(ct, fk.from, m)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if err := a.recombineIfMember(ct, id, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// entitiesNaming returns the entities of t (by their existence registers)
// whose key column col holds v.
func (a *applier) entitiesNaming(t schema.TableInfo, col string, v any) ([]any, error) {
	i := slices.IndexFunc(t.Key, func(c schema.Column) bool { return c.Name == col })
	var out []any
	err := a.query(`SELECT entity_id FROM field_timestamps WHERE entity_type = ? AND field_name = ''`, []any{t.Name},
		func(s *sqlite3.Stmt) error {
			id := capture.ColumnValue(s, 0)
			key, err := capture.EntityKey(t, id)
			if err == nil && capture.CompareEntityIDs(key[i], v) == 0 {
				out = append(out, id)
			}
			return nil
		})
	return out, err
}
