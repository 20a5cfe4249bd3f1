package lww

import (
	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/schema"
)

// applyMember applies a record to a member of a class: to its registers
// and values, then recombines the class.
func (a *applier) applyMember(rec changeset.Record, c *class, d *Decision) error {
	t := c.t
	if rec.Kind == changeset.Field {
		exist, reg, err := a.registers(rec.Table, rec.Entity, rec.Field)
		if err != nil {
			return err
		}
		take, act := DecideField(exist, reg, d.Stamp, rec.HasValue, t.HasColumn(rec.Field))
		if !take {
			d.Outcome, d.Why = "lost", a.why("the field holds a newer or the same write", reg.Stamp)
			return nil
		}
		if err := a.take(rec, capture.OpUpdate, rec.Value, false); err != nil {
			return err
		}
		d.Outcome = "won"
		values := map[string]any{}
		if act != Drop && t.HasColumn(rec.Field) {
			values[rec.Field] = rec.Value
		}
		if err := a.storeMember(t, rec.Entity, values); err != nil {
			return err
		}
		return a.recombine(c, 0)
	}
	regs, err := a.allRegisters(rec.Table, rec.Entity)
	if err != nil {
		return err
	}
	take, _ := DecideRow(regs[""], d.Stamp, rec.Alive)
	if !take {
		d.Outcome, d.Why = "lost", a.why("the row holds a newer or the same insert/delete", regs[""].Stamp)
		return nil
	}
	op := capture.OpInsert
	if !rec.Alive {
		op = capture.OpDelete
	}
	if err := a.take(rec, op, nil, !rec.Alive); err != nil {
		return err
	}
	d.Outcome = "won"
	values := map[string]any{}
	if rec.Alive {
		for _, col := range rec.Row {
			if t.HasColumn(col.Name) && DecideColumn(regs[col.Name], d.Stamp) {
				values[col.Name] = col.Value
			}
		}
		// A column the insert does not carry (a peer's older schema) is
		// NULL as of the insert, unless written since.
		for _, col := range t.Columns {
			if _, ok := values[col.Name]; !ok && DecideColumn(regs[col.Name], d.Stamp) {
				values[col.Name] = nil
			}
		}
	}
	if err := a.storeMember(t, rec.Entity, values); err != nil {
		return err
	}
	return a.recombine(c, 0)
}

// applyAlias applies an alias record: the entity is one with the survivor.
func (a *applier) applyAlias(rec changeset.Record, t schema.TableInfo, d *Decision) error {
	_, reg, err := a.registers(rec.Table, rec.Entity, schema.AliasField)
	if err != nil {
		return err
	}
	d.Outcome = "won"
	if !Wins(reg, d.Stamp) {
		d.Outcome, d.Why = "lost", a.why("the alias holds a newer or the same stamp", reg.Stamp)
	}
	n := len(a.merges)
	if err := a.union(t, rec.Entity, rec.Value, d.Stamp, "a peer merged them", 0); err != nil {
		return err
	}
	if len(a.merges) == n && d.Outcome == "won" {
		// One already: the register takes the newer stamp.
		rep, err := a.survivorOf(t.Name, rec.Entity)
		if err != nil {
			return err
		}
		if err := a.setAlias(t, rec.Entity, rep, d.Stamp, false); err != nil {
			return err
		}
	}
	return nil
}
