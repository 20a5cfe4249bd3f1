package capture

import (
	"errors"
	"strings"

	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// value returns the value of a field's register stamped st: from its table,
// or parked. It reports false when the register's value is gone: a newer
// insert replaced it, or the row was deleted after it.
func (x *exporter) value(table string, entity any, field string, st Stamp) (any, bool, error) {
	s, err := x.stmt(`SELECT hlc, coalesce(origin, ?), tombstone FROM field_timestamps WHERE entity_type = ? AND entity_id = ? AND field_name = ''`)
	if err != nil {
		return nil, false, err
	}
	if err := bindAll(s, []any{x.e.nodeID, table, entity}); err != nil {
		return nil, false, err
	}
	if s.Step() {
		exist := Stamp{HLC(s.ColumnInt64(0)), s.ColumnText(1)}
		if st.Less(exist) {
			return nil, false, nil
		}
	} else if err := s.Err(); err != nil {
		return nil, false, err
	}
	if v, ok, err := x.memberValue(table, entity, field, st); ok || err != nil {
		return v, ok, err
	}
	if t, ok := x.e.Table(table); ok && t.HasColumn(field) {
		key, err := EntityKey(t, entity)
		if err != nil {
			return nil, false, err
		}
		s, err := x.stmt(x.text(table, field, func() string {
			return `SELECT ` + triggers.Quote(field) + ` FROM ` + triggers.Quote(table) + ` WHERE ` + keyWhere(t)
		}))
		if err != nil {
			return nil, false, err
		}
		if err := bindAll(s, key); err != nil {
			return nil, false, err
		}
		if s.Step() {
			return ColumnValue(s, 0), true, nil
		}
		if err := s.Err(); err != nil {
			return nil, false, err
		}
	}
	if !x.parkedAny {
		return nil, false, nil
	}
	s, err = x.stmt(`SELECT value FROM parked_values WHERE entity_type = ? AND entity_id = ? AND field_name = ?
		AND hlc = ? AND coalesce(origin, ?) = ?`)
	if err != nil {
		return nil, false, err
	}
	if err := bindAll(s, []any{table, entity, field, int64(st.HLC), x.e.nodeID, st.Node}); err != nil {
		return nil, false, err
	}
	if s.Step() {
		return ColumnValue(s, 0), true, nil
	}
	return nil, false, s.Err()
}

// row returns a live row's key and tracked columns with their values, from
// its table or parked, limited to what the peer knows.
func (x *exporter) row(table string, entity any) ([]changeset.Column, error) {
	var cols []changeset.Column
	if t, ok := x.e.Table(table); ok {
		key, err := EntityKey(t, entity)
		if err != nil {
			return nil, err
		}
		names := x.names(t)
		s, err := x.stmt(x.text(table, "", func() string {
			quoted := make([]string, len(names))
			for i, n := range names {
				quoted[i] = triggers.Quote(n)
			}
			return `SELECT ` + strings.Join(quoted, ", ") + ` FROM ` + triggers.Quote(table) + ` WHERE ` + keyWhere(t)
		}))
		if err != nil {
			return nil, err
		}
		if err := bindAll(s, key); err != nil {
			return nil, err
		}
		if s.Step() {
			for i, n := range names {
				if i < len(t.Key) || x.known.has(table, n) {
					cols = append(cols, changeset.Column{Name: n, Value: ColumnValue(s, i)})
				}
			}
		}
		if err := s.Err(); err != nil {
			return nil, err
		}
		if own, err := x.memberRow(t, entity, cols); own != nil || err != nil {
			return own, err
		}
	}
	// Columns parked (the row is not in its table, or the column is not in
	// this schema), where the parked value is still the field's.
	if !x.parkedAny {
		if len(cols) == 0 {
			return nil, errors.New("live row has no values here or parked")
		}
		return cols, nil
	}
	regs, err := x.registers(table, entity)
	if err != nil {
		return nil, err
	}
	s, err := x.stmt(`SELECT field_name, value, hlc, coalesce(origin, ?) FROM parked_values
		WHERE entity_type = ? AND entity_id = ? ORDER BY field_name`)
	if err != nil {
		return nil, err
	}
	if err := bindAll(s, []any{x.e.nodeID, table, entity}); err != nil {
		return nil, err
	}
	for s.Step() {
		name := s.ColumnText(0)
		st, ok := Effective(regs[""], regs[name])
		if ok && st == (Stamp{HLC(s.ColumnInt64(2)), s.ColumnText(3)}) && !hasColumn(cols, name) && x.known.has(table, name) {
			cols = append(cols, changeset.Column{Name: name, Value: ColumnValue(s, 1)})
		}
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, errors.New("live row has no values here or parked")
	}
	return cols, nil
}

// registers returns an entity's registers by field ("" for existence).
func (x *exporter) registers(table string, entity any) (map[string]Register, error) {
	s, err := x.stmt(`SELECT field_name, hlc, coalesce(origin, ?), tombstone FROM field_timestamps WHERE entity_type = ? AND entity_id = ?`)
	if err != nil {
		return nil, err
	}
	if err := bindAll(s, []any{x.e.nodeID, table, entity}); err != nil {
		return nil, err
	}
	out := map[string]Register{}
	for s.Step() {
		out[s.ColumnText(0)] = Register{Set: true, Stamp: Stamp{HLC(s.ColumnInt64(1)), s.ColumnText(2)}, Dead: s.ColumnBool(3)}
	}
	return out, s.Err()
}

func hasColumn(cols []changeset.Column, name string) bool {
	for _, c := range cols {
		if c.Name == name {
			return true
		}
	}
	return false
}

// names returns t's key columns then its tracked columns.
func (x *exporter) names(t schema.TableInfo) []string {
	if n, ok := x.columns[t.Name]; ok {
		return n
	}
	names := make([]string, 0, len(t.Key)+len(t.Columns))
	for _, k := range t.Key {
		names = append(names, k.Name)
	}
	for _, c := range t.Columns {
		names = append(names, c.Name)
	}
	if x.columns == nil {
		x.columns = map[string][]string{}
	}
	x.columns[t.Name] = names
	return names
}

// text returns the SELECT of a table's row ("" field) or of one of its
// fields, generating it with build the first time.
func (x *exporter) text(table, field string, build func() string) string {
	k := [2]string{table, field}
	if s, ok := x.texts[k]; ok {
		return s
	}
	if x.texts == nil {
		x.texts = map[[2]string]string{}
	}
	s := build()
	x.texts[k] = s
	return s
}
