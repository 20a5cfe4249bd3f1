package lww

import (
	"errors"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
)

// parked returns an entity's parked values that still count: those whose
// stamp is the field's effective stamp (capture.Effective). It deletes the
// stale ones, which a later insert, edit or delete replaced.
func (a *applier) parked(table string, entity any) (map[string]any, error) {
	return a.parkedUnder(table, entity, nil)
}

// parkedUnder is parked, with the entity's registers when the caller has
// read them (nil: read here).
func (a *applier) parkedUnder(table string, entity any, regs map[string]Reg) (map[string]any, error) {
	if !a.parkedAny {
		return nil, nil
	}
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
	if regs == nil {
		if regs, err = a.allRegisters(table, entity); err != nil {
			return nil, err
		}
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

// park keeps a value aside with the stamp of the write it comes from.
func (a *applier) park(table string, entity any, field string, value any, st capture.Stamp) error {
	var origin any = st.Node
	if st.Node == a.self {
		origin = nil
	}
	a.parkedAny, a.parkedHere = true, true
	a.touch(table, entity)
	return a.exec(`INSERT INTO parked_values (entity_type, entity_id, field_name, value, hlc, origin) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET value = excluded.value, hlc = excluded.hlc, origin = excluded.origin`,
		table, entity, field, value, int64(st.HLC), origin)
}

func (a *applier) unpark(table string, entity any, field string) error {
	return a.exec(`DELETE FROM parked_values WHERE entity_type = ? AND entity_id = ? AND field_name = ?`, table, entity, field)
}

// parkRow keeps a row's values aside, each with its field's effective
// stamp; a value whose field has none (the row is deleted) is not kept.
// A value parked already under its field's effective stamp is the one
// that write gave, and stays: values read from a table may be older (a
// write refused by a unique value that another row held waits parked,
// over the row's older value).
func (a *applier) parkRow(table string, entity any, values map[string]any) error {
	regs, err := a.allRegisters(table, entity)
	if err != nil {
		return err
	}
	counting, err := a.parkedUnder(table, entity, regs)
	if err != nil {
		return err
	}
	for c, v := range values {
		if _, ok := counting[c]; ok {
			continue
		}
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

// placeParked places an entity's parked values if its existence register
// says it is alive and some of them still count: over its row if the row
// is in its table, else as a new row when they make a whole one. Values
// that cannot be placed yet (a missing parent, a value another row holds,
// too few columns for a new row, a combination a CHECK refuses) stay
// parked, and never fail the Apply: they were valid when they arrived, and
// a later write can make them placeable.
func (a *applier) placeParked(t schema.TableInfo, entity any) error {
	exist, _, err := a.registers(t.Name, entity, "")
	if err != nil || !exist.Set || exist.Dead {
		return err
	}
	parked, err := a.parked(t.Name, entity)
	if err != nil || len(parked) == 0 {
		return err // nothing counts any more: later writes replaced it
	}
	values, err := a.tableRow(t, entity)
	if err != nil {
		return err
	}
	for c, v := range parked {
		values[c] = v
	}
	key, err := capture.EntityKey(t, entity)
	if err != nil {
		return err
	}
	for i, k := range t.Key {
		values[k.Name] = key[i]
	}
	if _, err := a.placeRow(t, entity, values, false); err != nil && !errors.Is(err, ErrBadRecord) {
		return err
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
		if t, ok := a.tables[it.table]; ok {
			if err := a.placeParked(t, it.entity); err != nil {
				return err
			}
		}
	}
	return nil
}
