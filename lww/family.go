package lww

import (
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// foreignKey is one single-column foreign key between two synced tables.
type foreignKey struct {
	child, from string // the referencing table and column
	parent, to  string // the referenced table and column
	cascade     bool   // ON DELETE CASCADE
}

// foreignKeys reads the foreign keys of the synced tables, by child table.
func foreignKeys(a *applier) (map[string][]foreignKey, error) {
	out := map[string][]foreignKey{}
	for name, t := range a.tables {
		err := a.query(`SELECT id, "table", "from", "to", on_delete, (SELECT count(*) FROM pragma_foreign_key_list(?1) x WHERE x.id = f.id)
			FROM pragma_foreign_key_list(?1) f`, []any{name}, func(s *sqlite3.Stmt) error {
			if s.ColumnInt(5) != 1 {
				return nil // composite foreign keys are checked at commit only
			}
			fk := foreignKey{child: name, from: s.ColumnText(2), parent: s.ColumnText(1), to: s.ColumnText(3),
				cascade: s.ColumnText(4) == "CASCADE"}
			if fk.to == "" { // REFERENCES parent: its primary key
				if p, ok := a.tables[fk.parent]; ok && len(p.Key) == 1 {
					fk.to = p.Key[0].Name
				}
			}
			if fk.to != "" {
				out[name] = append(out[name], fk)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("foreign keys of %s: %w", t.Name, err)
		}
	}
	return out, nil
}

// refersToMissing reports whether setting column field of t to value would
// reference a parent row that is not here.
func (a *applier) refersToMissing(t schema.TableInfo, field string, value any) (bool, error) {
	if value == nil {
		return false, nil
	}
	for _, fk := range a.fks[t.Name] {
		if fk.from == field {
			ok, err := a.parentsPresent(t, map[string]any{field: value})
			return !ok, err
		}
	}
	return false, nil
}

// parentsPresent reports whether every parent row the values reference is
// in its table.
func (a *applier) parentsPresent(t schema.TableInfo, values map[string]any) (bool, error) {
	for _, fk := range a.fks[t.Name] {
		v, ok := values[fk.from]
		if !ok || v == nil {
			continue
		}
		if a.knownParent(fk, v) {
			continue
		}
		found := false
		err := a.query(a.parentSQL(fk), []any{v},
			func(*sqlite3.Stmt) error { found = true; return nil })
		if err != nil || !found {
			return false, err
		}
		a.rememberParent(fk, v)
	}
	return true, nil
}

// placeChildren places the parked rows that reference a row just placed.
func (a *applier) placeChildren(parent schema.TableInfo, values map[string]any) error {
	if !a.parkedAny && !a.membersAny {
		return nil // nothing waits for a parent
	}
	for child, fks := range a.fks {
		for _, fk := range fks {
			if fk.parent != parent.Name {
				continue
			}
			v, ok := values[fk.to]
			if !ok || v == nil {
				continue
			}
			var entities []any
			if a.parkedAny {
				err := a.query(`SELECT DISTINCT entity_id FROM parked_values WHERE entity_type = ? AND field_name = ? AND value = ?`,
					[]any{child, fk.from, v}, func(s *sqlite3.Stmt) error {
						entities = append(entities, capture.ColumnValue(s, 0))
						return nil
					})
				if err != nil {
					return err
				}
			}
			for _, ent := range entities {
				if err := a.placeParked(a.tables[child], ent); err != nil {
					return err
				}
			}
			if err := a.placeMemberChildren(a.tables[child], fk, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// parkChildren parks, recursively, the synced rows that a cascade would
// delete with the row whose values are given.
func (a *applier) parkChildren(parent schema.TableInfo, values map[string]any) error {
	for child, fks := range a.fks {
		for _, fk := range fks {
			v, ok := values[fk.to]
			if fk.parent != parent.Name || !fk.cascade || !ok || v == nil {
				continue
			}
			t := a.tables[child]
			cols := columns(t)
			var rows []map[string]any
			err := a.query(`SELECT `+strings.Join(quoteAll(cols), ", ")+` FROM `+triggers.Quote(child)+` WHERE `+triggers.Quote(fk.from)+` = ?`,
				[]any{v}, func(s *sqlite3.Stmt) error {
					row := map[string]any{}
					for i, c := range cols {
						row[c] = capture.ColumnValue(s, i)
					}
					rows = append(rows, row)
					return nil
				})
			if err != nil {
				return err
			}
			for _, row := range rows {
				key := make([]any, len(t.Key))
				for i, k := range t.Key {
					key[i] = row[k.Name]
				}
				ent, err := capture.EntityID(a.conn, t, key)
				if err != nil {
					return err
				}
				if c, err := a.classOf(t, ent); err != nil {
					return err
				} else if c != nil {
					// A class's row: its members' states keep it, and it
					// comes back with its parent (placeMemberChildren).
					if err := a.parkChildren(t, row); err != nil {
						return err
					}
					continue
				}
				if err := a.parkRow(child, ent, row); err != nil {
					return err
				}
				if err := a.parkChildren(t, row); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// placeMemberChildren recombines the classes of child whose members
// reference the parent value v (fk), which was just placed.
func (a *applier) placeMemberChildren(child schema.TableInfo, fk foreignKey, v any) error {
	if !a.membersAny {
		return nil
	}
	var ids []any
	err := a.query(`SELECT DISTINCT entity_id FROM member_values WHERE entity_type = ? AND field_name = ? AND value = ?`,
		[]any{child.Name, fk.from, v}, func(s *sqlite3.Stmt) error {
			ids = append(ids, capture.ColumnValue(s, 0))
			return nil
		})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := a.recombineIfMember(child, id, 0); err != nil {
			return err
		}
	}
	return nil
}
