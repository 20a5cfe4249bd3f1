package lww

import (
	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
)

// classes checks the classes of t: RuleClassRow, and RuleRowLive and
// RuleEntityPresent for their rows.
func (v *verifier) classes(t schema.TableInfo) error {
	if !v.a.aliasesAny {
		return nil
	}
	var reps []any
	err := v.a.query(`SELECT DISTINCT survivor FROM entity_aliases WHERE entity_type = ?`, []any{t.Name}, func(s *sqlite3.Stmt) error {
		reps = append(reps, capture.ColumnValue(s, 0))
		return nil
	})
	if err != nil {
		return err
	}
	for _, rep := range reps {
		if err := v.class(t, rep); err != nil {
			return err
		}
	}
	return nil
}

// class checks the class whose survivor is rep.
func (v *verifier) class(t schema.TableInfo, rep any) error {
	c := &class{t: t, rep: rep, members: []any{rep}}
	err := v.a.query(`SELECT entity_id FROM entity_aliases WHERE entity_type = ? AND survivor = ? ORDER BY entity_id`, []any{t.Name, rep},
		func(s *sqlite3.Stmt) error {
			c.members = append(c.members, capture.ColumnValue(s, 0))
			return nil
		})
	if err != nil {
		return err
	}
	for _, m := range c.members {
		if v.pending[pendingKey(t.Name, m)] {
			return nil // the next Apply folds the app's write
		}
	}
	if _, err := capture.EntityKey(t, rep); err != nil {
		v.add(Violation{Rule: RuleClassRow, Table: t.Name, Entity: rep, Want: "a survivor id of the table's key", Got: err.Error()})
		return nil
	}
	want, alive, err := v.expected(c)
	if err != nil {
		return err
	}
	row, err := v.a.tableRow(t, rep)
	if err != nil {
		return err
	}
	in := len(row) > 0
	if in && t.Filter != nil {
		if in, err = v.a.inFilter(t, rep); err != nil {
			return err
		}
		if !in {
			return nil // outside the filter here: not synced
		}
	}
	switch {
	case !alive && in:
		v.add(Violation{Rule: RuleRowLive, Table: t.Name, Entity: rep, Want: "no row: the class is deleted", Got: "its row"})
	case alive && !in:
		return v.placeable(t, rep, want, c)
	case alive:
		for _, col := range t.Columns {
			w, ok := want[col.Name]
			if !ok || equalValues(w, row[col.Name]) {
				continue
			}
			v.add(Violation{Rule: RuleClassRow, Table: t.Name, Entity: rep, Field: col.Name,
				Want: show(w) + " (its members' newest write)", Got: show(row[col.Name])})
		}
	}
	return nil
}

// expected computes a class's row as the sync state has it: combine over
// its members' states, where a member's value of a field written here
// since it was stored (by the app, to the member's row) is the row's, as
// the next recombine takes it (storeMember). A required column no live
// member has a value for is left out: the row keeps its own.
func (v *verifier) expected(c *class) (map[string]any, bool, error) {
	t := c.t
	states := make([]memberState, len(c.members))
	for i, m := range c.members {
		st, err := v.a.readMember(t, m)
		if err != nil {
			return nil, false, err
		}
		var row map[string]any
		for _, col := range t.Columns {
			eff, _ := capture.Effective(st.regs[""], st.regs[col.Name])
			if len(st.regs) == 0 || int64(eff.HLC) <= st.values[col.Name].hlc {
				continue
			}
			if row == nil {
				if row, err = v.a.tableRow(t, m); err != nil {
					return nil, false, err
				}
			}
			if rv, ok := row[col.Name]; ok {
				st.values[col.Name] = memberValue{rv, int64(eff.HLC)}
			}
		}
		states[i] = st
	}
	values, alive := combine(t, states)
	if !alive {
		return nil, false, nil
	}
	for _, col := range t.Columns {
		if col.Required() && values[col.Name] == nil {
			delete(values, col.Name)
		}
	}
	key, err := capture.EntityKey(t, c.rep)
	if err != nil {
		return nil, false, err
	}
	for i, k := range t.Key {
		values[k.Name] = key[i]
	}
	return values, true, v.a.resolveValues(t, values)
}
