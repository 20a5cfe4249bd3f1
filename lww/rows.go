package lww

import (
	"errors"
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

// columns returns the key and tracked columns of t.
func columns(t schema.TableInfo) []string {
	out := make([]string, 0, len(t.Key)+len(t.Columns))
	for _, k := range t.Key {
		out = append(out, k.Name)
	}
	for _, c := range t.Columns {
		out = append(out, c.Name)
	}
	return out
}

func keyWhere(t schema.TableInfo) string {
	conds := make([]string, len(t.Key))
	for i, k := range t.Key {
		conds[i] = triggers.Quote(k.Name) + " = ?"
	}
	return strings.Join(conds, " AND ")
}

// currentValues returns an entity's values: its row's if it is in its table,
// then its parked values over them.
func (a *applier) currentValues(t schema.TableInfo, table string, entity any) (map[string]any, error) {
	values := map[string]any{}
	if t.Name != "" {
		key, err := capture.EntityKey(t, entity)
		if err != nil {
			return nil, err
		}
		cols := columns(t)
		err = a.query(`SELECT `+strings.Join(quoteAll(cols), ", ")+` FROM `+triggers.Quote(t.Name)+` WHERE `+keyWhere(t), key,
			func(s *sqlite3.Stmt) error {
				for i, c := range cols {
					values[c] = capture.ColumnValue(s, i)
				}
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	parked, err := a.parked(table, entity)
	for c, v := range parked {
		values[c] = v
	}
	return values, err
}

// parked returns an entity's parked values that still count: those whose
// stamp is the field's effective stamp (capture.Effective). It deletes the
// stale ones, which a later insert, edit or delete replaced.
func (a *applier) parked(table string, entity any) (map[string]any, error) {
	type entry struct {
		value any
		st    capture.Stamp
	}
	var entries map[string]entry
	err := a.query(`SELECT field_name, value, hlc, coalesce(origin, ?) FROM parked_values WHERE entity_type = ? AND entity_id = ?`,
		[]any{a.self, table, entity}, func(s *sqlite3.Stmt) error {
			if entries == nil {
				entries = map[string]entry{}
			}
			entries[s.ColumnText(0)] = entry{capture.ColumnValue(s, 1), capture.Stamp{HLC: capture.HLC(s.ColumnInt64(2)), Node: s.ColumnText(3)}}
			return nil
		})
	if err != nil || entries == nil {
		return nil, err
	}
	regs, err := a.allRegisters(table, entity)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for c, en := range entries {
		if st, ok := capture.Effective(regs[""], a.fieldReg(regs, table, c)); ok && st == en.st {
			out[c] = en.value
			continue
		}
		if err := a.unpark(table, entity, c); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fieldReg returns a column's own register; key columns have none, so they
// follow the row's existence.
func (a *applier) fieldReg(regs map[string]Reg, table, field string) Reg {
	if t, ok := a.tables[table]; ok && t.IsKey(field) {
		return Reg{}
	}
	return regs[field]
}

// writeField writes a value to its row, reporting false when the row is not
// in its table.
func (a *applier) writeField(t schema.TableInfo, entity any, field string, value any) (bool, error) {
	key, err := capture.EntityKey(t, entity)
	if err != nil {
		return false, err
	}
	if err := a.exec(`UPDATE `+triggers.Quote(t.Name)+` SET `+triggers.Quote(field)+` = ? WHERE `+keyWhere(t),
		append([]any{value}, key...)...); err != nil {
		if _, err := constraintFailed(err); err != nil {
			return false, err
		}
		return false, nil // a unique value another row holds: parked
	}
	return a.conn.Changes() == 1, nil
}

// park keeps a value aside with the stamp of the write it comes from.
func (a *applier) park(table string, entity any, field string, value any, st capture.Stamp) error {
	var origin any = st.Node
	if st.Node == a.self {
		origin = nil
	}
	return a.exec(`INSERT INTO parked_values (entity_type, entity_id, field_name, value, hlc, origin) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET value = excluded.value, hlc = excluded.hlc, origin = excluded.origin`,
		table, entity, field, value, int64(st.HLC), origin)
}

func (a *applier) unpark(table string, entity any, field string) error {
	return a.exec(`DELETE FROM parked_values WHERE entity_type = ? AND entity_id = ? AND field_name = ?`, table, entity, field)
}

// parkRow keeps a row's values aside, each with its field's effective
// stamp; a value whose field has none (the row is deleted) is not kept.
func (a *applier) parkRow(table string, entity any, values map[string]any) error {
	regs, err := a.allRegisters(table, entity)
	if err != nil {
		return err
	}
	for c, v := range values {
		st, ok := capture.Effective(regs[""], a.fieldReg(regs, table, c))
		if !ok {
			continue
		}
		if err := a.park(table, entity, c, v, st); err != nil {
			return err
		}
	}
	return nil
}

// placeRow writes a live row's values to its table (insert or update), or
// parks them when a parent row is missing or a uniqueness constraint
// refuses the row. It reports whether the row was
// placed; a placed row's parked values are dropped and its parked children
// placed in turn.
func (a *applier) placeRow(t schema.TableInfo, entity any, values map[string]any) (bool, error) {
	ok, err := a.parentsPresent(t, values)
	if err != nil {
		return false, err
	}
	if ok {
		ok, err = a.upsert(t, entity, values)
		if err != nil {
			return false, err
		}
	}
	if !ok {
		// An older version of the row may be in the table: it goes.
		if err := a.evict(t, entity); err != nil {
			return false, err
		}
		return false, a.parkRow(t.Name, entity, values)
	}
	// Values for columns this schema lacks stay parked.
	if err := a.exec(`DELETE FROM parked_values WHERE entity_type = ? AND entity_id = ? AND field_name IN (SELECT name FROM pragma_table_xinfo(?))`,
		t.Name, entity, t.Name); err != nil {
		return false, err
	}
	extra := map[string]any{}
	for c, v := range values {
		if !t.HasColumn(c) && !t.IsKey(c) {
			extra[c] = v
		}
	}
	if len(extra) > 0 {
		if err := a.parkRow(t.Name, entity, extra); err != nil {
			return false, err
		}
	}
	return true, a.placeChildren(t, values)
}

// evict takes a row that can no longer stay out of its table, parking the
// rows that reference it (they would go by cascade).
func (a *applier) evict(t schema.TableInfo, entity any) error {
	values, err := a.currentValues(t, t.Name, entity)
	if err != nil || len(values) == 0 {
		return err
	}
	if err := a.parkChildren(t, values); err != nil {
		return err
	}
	key, err := capture.EntityKey(t, entity)
	if err != nil {
		return err
	}
	return a.exec(`DELETE FROM `+triggers.Quote(t.Name)+` WHERE `+keyWhere(t), key...)
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
		found := false
		err := a.query(`SELECT 1 FROM `+triggers.Quote(fk.parent)+` WHERE `+triggers.Quote(fk.to)+` = ? LIMIT 1`, []any{v},
			func(*sqlite3.Stmt) error { found = true; return nil })
		if err != nil || !found {
			return false, err
		}
	}
	return true, nil
}

// upsert inserts the row, or updates it if it is there. A constraint that
// refuses the row (a unique column taken by another row) reports false.
func (a *applier) upsert(t schema.TableInfo, entity any, values map[string]any) (bool, error) {
	key, err := capture.EntityKey(t, entity)
	if err != nil {
		return false, err
	}
	var cols []string
	var args []any
	for _, c := range t.Columns {
		if v, ok := values[c.Name]; ok {
			cols = append(cols, c.Name)
			args = append(args, v)
		}
	}
	if len(cols) > 0 {
		sets := make([]string, len(cols))
		for i, c := range cols {
			sets[i] = triggers.Quote(c) + " = ?"
		}
		err := a.exec(`UPDATE `+triggers.Quote(t.Name)+` SET `+strings.Join(sets, ", ")+` WHERE `+keyWhere(t), append(args, key...)...)
		if err != nil {
			return constraintFailed(err)
		}
		if a.conn.Changes() == 1 {
			return true, nil
		}
	} else {
		found := false
		if err := a.query(`SELECT 1 FROM `+triggers.Quote(t.Name)+` WHERE `+keyWhere(t), key,
			func(*sqlite3.Stmt) error { found = true; return nil }); err != nil || found {
			return found, err
		}
	}
	names := append([]string{}, cols...)
	vals := append([]any{}, args...)
	for i, k := range t.Key {
		names = append(names, k.Name)
		vals = append(vals, key[i])
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")
	err = a.exec(`INSERT INTO `+triggers.Quote(t.Name)+` (`+strings.Join(quoteAll(names), ", ")+`) VALUES (`+marks+`)`, vals...)
	if err != nil {
		return constraintFailed(err)
	}
	return true, nil
}

// constraintFailed turns a uniqueness conflict (another row holds a unique
// value; concurrent devices can cause that) into "not placed". A value of
// the wrong shape for its column (NULL where NOT NULL, a CHECK, a STRICT
// type) is bad input: ErrBadRecord.
func constraintFailed(err error) (bool, error) {
	var e *sqlite3.Error
	if errors.As(err, &e) {
		switch e.ExtendedCode() {
		case sqlite3.CONSTRAINT_UNIQUE, sqlite3.CONSTRAINT_PRIMARYKEY:
			return false, nil
		case sqlite3.CONSTRAINT_NOTNULL, sqlite3.CONSTRAINT_CHECK, sqlite3.CONSTRAINT_DATATYPE:
			return false, fmt.Errorf("%v: %w", err, ErrBadRecord)
		}
	}
	return false, err
}

// placeChildren places the parked rows that reference a row just placed.
func (a *applier) placeChildren(parent schema.TableInfo, values map[string]any) error {
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
			err := a.query(`SELECT DISTINCT entity_id FROM parked_values WHERE entity_type = ? AND field_name = ? AND value = ?`,
				[]any{child, fk.from, v}, func(s *sqlite3.Stmt) error {
					entities = append(entities, capture.ColumnValue(s, 0))
					return nil
				})
			if err != nil {
				return err
			}
			for _, ent := range entities {
				if err := a.placeParked(a.tables[child], ent); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// placeParked places a parked row if its existence register says it is
// alive.
func (a *applier) placeParked(t schema.TableInfo, entity any) error {
	exist, _, err := a.registers(t.Name, entity, "")
	if err != nil || !exist.Set || exist.Dead {
		return err
	}
	values, err := a.currentValues(schema.TableInfo{}, t.Name, entity)
	if err != nil {
		return err
	}
	key, err := capture.EntityKey(t, entity)
	if err != nil {
		return err
	}
	for i, k := range t.Key {
		values[k.Name] = key[i]
	}
	_, err = a.placeRow(t, entity, values)
	return err
}

// deleteRow deletes a row whose delete won. Fields written after the delete
// are parked for a later re-insert, and so are the rows that reference it
// and would go with it by cascade: their own existence registers still say
// they are alive, so they come back if the row does.
func (a *applier) deleteRow(t schema.TableInfo, entity any) error {
	values, err := a.currentValues(t, t.Name, entity)
	if err != nil || len(values) == 0 {
		return err
	}
	// parkRow keeps only the fields newer than the delete.
	if err := a.parkRow(t.Name, entity, values); err != nil {
		return err
	}
	if err := a.parkChildren(t, values); err != nil {
		return err
	}
	key, err := capture.EntityKey(t, entity)
	if err != nil {
		return err
	}
	return a.exec(`DELETE FROM `+triggers.Quote(t.Name)+` WHERE `+keyWhere(t), key...)
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

// replay places what was parked and can be placed now: values of columns a
// migration has since added, and rows whose table now exists.
func (a *applier) replay() error {
	type item struct {
		table  string
		entity any
	}
	var items []item
	err := a.query(`SELECT DISTINCT entity_type, entity_id FROM parked_values`, nil, func(s *sqlite3.Stmt) error {
		items = append(items, item{s.ColumnText(0), capture.ColumnValue(s, 1)})
		return nil
	})
	if err != nil {
		return err
	}
	for _, it := range items {
		t, ok := a.tables[it.table]
		if !ok {
			continue
		}
		exist, _, err := a.registers(it.table, it.entity, "")
		if err != nil {
			return err
		}
		if !exist.Set || exist.Dead {
			continue
		}
		values, err := a.currentValues(t, it.table, it.entity)
		if err != nil {
			return err
		}
		key, err := capture.EntityKey(t, it.entity)
		if err != nil {
			return err
		}
		for i, k := range t.Key {
			values[k.Name] = key[i]
		}
		if _, err := a.placeRow(t, it.entity, values); err != nil {
			return err
		}
	}
	return nil
}
