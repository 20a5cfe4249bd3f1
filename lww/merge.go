package lww

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// maxMergeDepth bounds the merges one placement may set off (a merged
// category merges its tags, which merge their assignments).
const maxMergeDepth = 64

// localStamp issues a stamp of this device's for a fact it found (an
// alias): after every stamp issued or seen.
func (a *applier) localStamp() capture.Stamp {
	h := max(capture.HLCAt(a.opts.Now()), a.lastClock+1, a.maxHLC+1)
	a.maxHLC = h
	return capture.Stamp{HLC: h, Node: a.self}
}

// union makes x's and y's classes one, under the smaller survivor, and
// recombines it. st stamps the alias registers it writes: a member whose
// survivor changes takes the newer of its alias register's stamp and st.
func (a *applier) union(t schema.TableInfo, x, y any, st capture.Stamp, why string, depth int) error {
	if depth > maxMergeDepth {
		return fmt.Errorf("merge %s %v with %v: more than %d merges in a row", t.Name, x, y, maxMergeDepth)
	}
	cx, err := a.classOrSingle(t, x)
	if err != nil {
		return err
	}
	cy, err := a.classOrSingle(t, y)
	if err != nil {
		return err
	}
	if capture.CompareEntityIDs(cx.rep, cy.rep) == 0 {
		return nil
	}
	for _, c := range []*class{cx, cy} {
		if len(c.members) == 1 {
			if err := a.adoptMember(t, c.rep); err != nil {
				return err
			}
		} else {
			for _, m := range c.members {
				if err := a.refreshMember(t, m); err != nil {
					return err
				}
			}
		}
	}
	rep, old := cx.rep, cy.rep
	if capture.CompareEntityIDs(old, rep) < 0 {
		rep, old = old, rep
	}
	a.aliasesAny = true
	for _, m := range slices.Concat(cx.members, cy.members) {
		if capture.CompareEntityIDs(m, rep) == 0 {
			continue
		}
		if err := a.setAlias(t, m, rep, st, false); err != nil {
			return err
		}
	}
	a.merges = append(a.merges, Merge{Table: t.Name, Entity: old, Survivor: rep, Why: why})
	a.touch(t.Name, old)
	// The old survivor's row leaves the table; the children of its class
	// go to the new survivor.
	if err := a.leaveTable(t, old, rep, depth); err != nil {
		return err
	}
	oldMembers := cx.members
	if capture.CompareEntityIDs(old, cx.rep) != 0 {
		oldMembers = cy.members
	}
	for _, m := range oldMembers {
		if err := a.deriveChildren(t, m, depth); err != nil {
			return err
		}
	}
	c, err := a.classOrSingle(t, rep)
	if err != nil {
		return err
	}
	return a.recombine(c, depth)
}

// recombineIfMember recombines entity's class, if it is in one.
func (a *applier) recombineIfMember(t schema.TableInfo, entity any, depth int) error {
	c, err := a.classOf(t, entity)
	if err != nil || c == nil {
		return err
	}
	return a.recombine(c, depth)
}

// classOrSingle returns entity's class, or a class of entity alone.
func (a *applier) classOrSingle(t schema.TableInfo, entity any) (*class, error) {
	c, err := a.classOf(t, entity)
	if err != nil || c != nil {
		return c, err
	}
	return &class{t: t, rep: entity, members: []any{entity}}, nil
}

// setAlias records that member m is one with rep: its alias, and (unless
// derived) its alias register and log entry, stamped the newer of st and
// the register's stamp.
func (a *applier) setAlias(t schema.TableInfo, m, rep any, st capture.Stamp, derived bool) error {
	var d any
	if derived {
		d = 1
	}
	err := a.exec(`INSERT INTO entity_aliases (entity_type, entity_id, survivor, derived) VALUES (?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET survivor = excluded.survivor, derived = excluded.derived`, t.Name, m, rep, d)
	if err != nil || derived {
		return err
	}
	_, reg, err := a.registers(t.Name, m, schema.AliasField)
	if err != nil {
		return err
	}
	if reg.Set && st.Less(reg.Stamp) {
		st = reg.Stamp
	}
	// Logged as found here (no sender): every peer is sent it.
	sender := a.sender
	a.sender = ""
	defer func() { a.sender = sender }()
	return a.take(changeset.Record{Kind: changeset.Field, Table: t.Name, Entity: m, Field: schema.AliasField,
		HLC: int64(st.HLC), Origin: st.Node}, capture.OpUpdate, rep, false)
}

// derive makes child row entity, whose key names a merged-away id, a
// member of the derived class of resolved (the same key with survivors),
// with the rest of its class so far (rep's).
func (a *applier) derive(t schema.TableInfo, entity, rep, resolved any) error {
	members := []any{entity}
	if capture.CompareEntityIDs(rep, entity) != 0 {
		members = append(members, rep)
	}
	err := a.query(`SELECT entity_id FROM entity_aliases WHERE entity_type = ? AND survivor = ?`, []any{t.Name, rep},
		func(s *sqlite3.Stmt) error {
			members = append(members, capture.ColumnValue(s, 0))
			return nil
		})
	if err != nil {
		return err
	}
	// A key no device wrote (a survivor's key that only derivation
	// made) is no member; the entity of the record being applied is,
	// about to have registers.
	var kept []any
	for _, m := range members {
		if capture.CompareEntityIDs(m, resolved) == 0 {
			continue
		}
		if a.arriving == nil || capture.CompareEntityIDs(m, a.arriving) != 0 {
			if regs, err := a.allRegisters(t.Name, m); err != nil {
				return err
			} else if len(regs) == 0 {
				if err := a.exec(`DELETE FROM entity_aliases WHERE entity_type = ? AND entity_id = ?`, t.Name, m); err != nil {
					return err
				}
				continue
			}
		}
		kept = append(kept, m)
	}
	if len(kept) == 0 {
		return nil // no member: resolved stays an entity of its own
	}
	for _, m := range append(kept, resolved) {
		if err := a.adoptMember(t, m); err != nil {
			return err
		}
	}
	for _, m := range kept {
		if err := a.setAlias(t, m, resolved, capture.Stamp{}, true); err != nil {
			return err
		}
	}
	a.aliasesAny = true
	return nil
}

// leaveTable takes a merged-away member's row out of its table, if it is
// there: its children are moved to the survivor first, so that no cascade
// takes them.
func (a *applier) leaveTable(t schema.TableInfo, m, rep any, depth int) error {
	row, err := a.tableRow(t, m)
	if err != nil || len(row) == 0 {
		return err
	}
	if err := a.repointChildren(t, m, rep, depth); err != nil {
		return err
	}
	key, err := capture.EntityKey(t, m)
	if err != nil {
		return err
	}
	a.forgetParents()
	return a.exec(a.deleteRowSQL(t), key...)
}

// repointChildren moves the rows that reference parent row from to the
// survivor rep: a reference in a column of their own is rewritten; a row
// whose key holds the reference joins its derived class.
func (a *applier) repointChildren(parent schema.TableInfo, from, to any, depth int) error {
	for child, fks := range a.fks {
		ct := a.tables[child]
		for _, fk := range fks {
			if fk.parent != parent.Name || !parent.IsKey(fk.to) || len(parent.Key) != 1 {
				continue
			}
			var ids []any
			err := a.query(`SELECT `+strings.Join(quoteAll(keyNames(ct)), ", ")+` FROM `+triggers.Quote(child)+` WHERE `+triggers.Quote(fk.from)+` = ?`,
				[]any{from}, func(s *sqlite3.Stmt) error {
					key := make([]any, len(ct.Key))
					for i := range key {
						key[i] = capture.ColumnValue(s, i)
					}
					id, err := capture.EntityID(a.conn, ct, key)
					ids = append(ids, id)
					return err
				})
			if err != nil {
				return err
			}
			// Parked children wait for the survivor now.
			if a.parkedAny {
				if err := a.exec(`UPDATE parked_values SET value = ? WHERE entity_type = ? AND field_name = ? AND value = ?`,
					to, child, fk.from, from); err != nil {
					return err
				}
			}
			for _, id := range ids {
				if ct.IsKey(fk.from) {
					// The child's class is derived on the way.
					if err := a.recombineIfMember(ct, id, depth+1); err != nil {
						return err
					}
					continue
				}
				if err := a.repointChild(ct, id, fk.from, to, depth); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// repointChild rewrites one child row's reference to the survivor. When
// that gives it a natural key another row holds, the two merge.
func (a *applier) repointChild(t schema.TableInfo, id any, column string, to any, depth int) error {
	key, err := capture.EntityKey(t, id)
	if err != nil {
		return err
	}
	err = a.exec(`UPDATE `+triggers.Quote(t.Name)+` SET `+triggers.Quote(column)+` = ? WHERE `+keyWhere(t), append([]any{to}, key...)...)
	if err == nil {
		return nil
	}
	if ok, cerr := constraintFailed(err); cerr != nil || ok {
		return cerr
	}
	// Another row holds the natural key the move gives it: it waits,
	// parked, for the end of the Apply to merge the two.
	values, err := a.tableRow(t, id)
	if err != nil {
		return err
	}
	values[column] = to
	if c, err := a.classOf(t, id); err != nil {
		return err
	} else if c != nil {
		// A class's row: its members keep their states, with what the
		// app wrote to the row since (refreshMember).
		if err := a.refreshMember(t, id); err != nil {
			return err
		}
		if err := a.noteCollision(t, id, values); err != nil {
			return err
		}
		return a.remove(t, id, values)
	}
	if err := a.noteCollision(t, id, values); err != nil {
		return err
	}
	if err := a.remove(t, id, values); err != nil {
		return err
	}
	return a.parkRow(t.Name, id, values)
}

// recombine writes a class's row to its table under the survivor's id,
// from its members' states (combine), or takes it out when the class is
// deleted. A row that then holds another row's natural key merges with
// it; one whose parent is missing stays out until the parent comes.
func (a *applier) recombine(c *class, depth int) error {
	t := c.t
	a.touch(t.Name, c.rep)
	for _, m := range c.members {
		if err := a.refreshMember(t, m); err != nil {
			return err
		}
	}
	for _, m := range c.members[1:] {
		if err := a.leaveTable(t, m, c.rep, depth); err != nil {
			return err
		}
	}
	values, alive, err := a.classValues(c)
	if err != nil {
		return err
	}
	current, err := a.tableRow(t, c.rep)
	if err != nil {
		return err
	}
	if !alive {
		return a.outOfTable(c, current)
	}
	// A required column no live member has a value for (its writes are
	// on their way) is left out: the row in the table keeps its own, or
	// the class waits out of the table (upsert).
	for _, col := range t.Columns {
		if col.Required() && values[col.Name] == nil {
			delete(values, col.Name)
		}
	}
	ok, err := a.parentsPresent(t, values)
	if err != nil {
		return err
	}
	if ok {
		if ok, err = a.upsert(t, c.rep, values, len(current) == 0); err != nil {
			return err
		}
	}
	if !ok {
		// Out of the table until its parent comes (placeChildren), or,
		// when another row holds its natural key, until the end of the
		// Apply merges the two (mergeCollisions).
		if err := a.noteCollision(t, c.rep, values); err != nil {
			return err
		}
		return a.outOfTable(c, current)
	}
	a.placedParent(t.Name, values)
	// Rows that wait for any member's id come now.
	for _, m := range c.members {
		v := maps.Clone(values)
		if len(t.Key) == 1 {
			v[t.Key[0].Name] = m
		}
		if err := a.placeChildren(t, v); err != nil {
			return err
		}
	}
	return nil
}

// outOfTable takes a class's row out of its table (current is the row,
// empty when it is not there), parking the rows that reference it: rows
// moved to its survivor may reference it even when it is not there.
func (a *applier) outOfTable(c *class, current map[string]any) error {
	if len(current) > 0 {
		return a.remove(c.t, c.rep, current)
	}
	key, err := capture.EntityKey(c.t, c.rep)
	if err != nil {
		return err
	}
	values := map[string]any{}
	for i, k := range c.t.Key {
		values[k.Name] = key[i]
	}
	a.forgetParents()
	return a.parkChildren(c.t, values)
}

// classValues computes a class's row (combine), with its survivor's key
// and references to merged rows resolved, and whether the class is alive.
func (a *applier) classValues(c *class) (map[string]any, bool, error) {
	states := make([]memberState, len(c.members))
	for i, m := range c.members {
		var err error
		if states[i], err = a.readMember(c.t, m); err != nil {
			return nil, false, err
		}
	}
	values, alive := combine(c.t, states)
	if !alive {
		return nil, false, nil
	}
	key, err := capture.EntityKey(c.t, c.rep)
	if err != nil {
		return nil, false, err
	}
	for i, k := range c.t.Key {
		values[k.Name] = key[i]
	}
	return values, true, a.resolveValues(c.t, values)
}
