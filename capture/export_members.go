package capture

import (
	"fmt"

	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/schema"
)

// A member of a merged class (migration 8, docs/merge-semantics.md) keeps
// its own values in member_values; its table holds one row for the class,
// under the survivor's id, computed from them. So the exporter reads a
// member's values from member_values, but for the survivor's fields that
// the app has written since (a register newer than the member value): those
// are in the row.

// memberValue returns a member's own value of field, written by st, and
// reports false when entity is not a member or the row holds it.
func (x *exporter) memberValue(table string, entity any, field string, st Stamp) (any, bool, error) {
	if !x.membersAny {
		return nil, false, nil
	}
	s, err := x.stmt(`SELECT value, hlc FROM member_values WHERE entity_type = ? AND entity_id = ? AND field_name = ?`)
	if err != nil {
		return nil, false, err
	}
	if err := bindAll(s, []any{table, entity, field}); err != nil {
		return nil, false, err
	}
	if s.Step() {
		if int64(st.HLC) > s.ColumnInt64(1) {
			return nil, false, s.Reset() // written here since: in the row
		}
		return ColumnValue(s, 0), true, s.Reset()
	}
	return nil, false, s.Err()
}

// memberRow returns a live member's key and tracked columns, or nil when
// entity is not a member. cols are the row's in its table, if any.
func (x *exporter) memberRow(t schema.TableInfo, entity any, cols []changeset.Column) ([]changeset.Column, error) {
	if !x.membersAny {
		return nil, nil
	}
	s, err := x.stmt(`SELECT field_name, value, hlc FROM member_values WHERE entity_type = ? AND entity_id = ?`)
	if err != nil {
		return nil, err
	}
	if err := bindAll(s, []any{t.Name, entity}); err != nil {
		return nil, err
	}
	type mv struct {
		value any
		hlc   int64
	}
	own := map[string]mv{}
	for s.Step() {
		own[s.ColumnText(0)] = mv{ColumnValue(s, 1), s.ColumnInt64(2)}
	}
	if err := s.Err(); err != nil || len(own) == 0 {
		return nil, err
	}
	regs, err := x.registers(t.Name, entity)
	if err != nil {
		return nil, err
	}
	inRow := map[string]any{}
	for _, c := range cols {
		inRow[c.Name] = c.Value
	}
	key, err := EntityKey(t, entity)
	if err != nil {
		return nil, err
	}
	out := make([]changeset.Column, 0, len(t.Key)+len(t.Columns))
	for i, k := range t.Key {
		out = append(out, changeset.Column{Name: k.Name, Value: key[i]})
	}
	for _, c := range t.Columns {
		if !x.known.has(t.Name, c.Name) {
			continue
		}
		v := own[c.Name]
		if st, ok := Effective(regs[""], regs[c.Name]); ok && int64(st.HLC) > v.hlc {
			if rv, ok := inRow[c.Name]; ok {
				v.value = rv // written here since
			}
		}
		out = append(out, changeset.Column{Name: c.Name, Value: v.value})
	}
	return out, nil
}

// alias returns the record of an alias register: a field record whose
// value is the survivor.
func (x *exporter) alias(rec changeset.Record) (changeset.Record, error) {
	s, err := x.stmt(`SELECT survivor FROM entity_aliases WHERE entity_type = ? AND entity_id = ?`)
	if err != nil {
		return rec, err
	}
	if err := bindAll(s, []any{rec.Table, rec.Entity}); err != nil {
		return rec, err
	}
	if !s.Step() {
		if err := s.Err(); err != nil {
			return rec, err
		}
		return rec, fmt.Errorf("alias register of %s %v without its alias", rec.Table, rec.Entity)
	}
	rec.Kind, rec.Value, rec.HasValue = changeset.Field, ColumnValue(s, 0), true
	return rec, s.Reset()
}
