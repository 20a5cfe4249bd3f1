package lww

import (
	"slices"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// Identity merges (docs/merge-semantics.md, "Same thing, two ids").
//
// Two live rows of a table with the same natural key (schema.NaturalKey)
// are one entity: a class, whose members are their ids. The smallest id
// (capture.CompareEntityIDs) is the survivor, whatever the order rows and
// merges arrive in. Each member keeps its own state, as if it were a row
// of its own: its registers in field_timestamps, its values in
// member_values. The table holds one row for the class, under the
// survivor's id, computed from the members' states by combine, so that
// every device computes the same row from the same states, merged early or
// late. That a member belongs to a class is itself a synced fact: its
// alias register (schema.AliasField), whose record's value is the
// survivor.
//
// A table whose key holds a merged row's key (the tag assignments of a
// merged release) gets derived classes: its rows that name a merged-away
// id are members of the class of the row that names the survivor instead.
// Every device derives them from the parents' aliases; they do not sync.

// class is a merged class: its survivor and its members, survivor first.
type class struct {
	t       schema.TableInfo
	rep     any
	members []any
	derived bool
}

// Merge is one identity merge an Apply made or learned: the entity, and
// the survivor it is now one with.
type Merge struct {
	Table            string
	Entity, Survivor any
	// Why says what showed the two are one: a natural key both held, or a
	// peer's alias.
	Why string
}

// survivorOf returns the survivor of entity's class, entity itself when it
// is not a merged-away member.
func (a *applier) survivorOf(table string, entity any) (any, error) {
	if !a.aliasesAny {
		return entity, nil
	}
	rep := entity
	err := a.query(`SELECT survivor FROM entity_aliases WHERE entity_type = ? AND entity_id = ?`, []any{table, entity},
		func(s *sqlite3.Stmt) error {
			rep = capture.ColumnValue(s, 0)
			return nil
		})
	return rep, err
}

// classOf returns entity's class, or nil when it is an entity of its own.
// A row of a table whose key names a merged-away id joins its derived
// class here.
func (a *applier) classOf(t schema.TableInfo, entity any) (*class, error) {
	if !a.aliasesAny {
		return nil, nil
	}
	rep := entity
	derived := false
	err := a.query(`SELECT survivor, derived FROM entity_aliases WHERE entity_type = ? AND entity_id = ?`, []any{t.Name, entity},
		func(s *sqlite3.Stmt) error {
			rep, derived = capture.ColumnValue(s, 0), s.ColumnBool(1)
			return nil
		})
	if err != nil {
		return nil, err
	}
	if capture.CompareEntityIDs(rep, entity) == 0 || derived {
		// A key naming merged-away rows: the class of the key with
		// their survivors (which may have merged again since).
		resolved, err := a.resolvedKey(t, rep)
		if err != nil {
			return nil, err
		}
		if capture.CompareEntityIDs(resolved, rep) != 0 {
			if err := a.derive(t, entity, rep, resolved); err != nil {
				return nil, err
			}
			rep, derived = resolved, true
		}
	}
	c := &class{t: t, rep: rep, members: []any{rep}, derived: derived}
	err = a.query(`SELECT entity_id, derived FROM entity_aliases WHERE entity_type = ? AND survivor = ? ORDER BY entity_id`, []any{t.Name, rep},
		func(s *sqlite3.Stmt) error {
			c.members = append(c.members, capture.ColumnValue(s, 0))
			c.derived = c.derived || s.ColumnBool(1)
			return nil
		})
	if err != nil || len(c.members) == 1 {
		return nil, err
	}
	return c, nil
}

// resolvedKey returns entity with each key column that references a
// merged row replaced by the survivor's id.
func (a *applier) resolvedKey(t schema.TableInfo, entity any) (any, error) {
	if len(t.Key) < 2 {
		return entity, nil
	}
	var key []any
	changed := false
	for _, fk := range a.fks[t.Name] {
		i := slices.IndexFunc(t.Key, func(c schema.Column) bool { return c.Name == fk.from })
		if i < 0 {
			continue
		}
		if key == nil {
			var err error
			if key, err = capture.EntityKey(t, entity); err != nil {
				return nil, err
			}
		}
		rep, err := a.survivorOf(fk.parent, key[i])
		if err != nil {
			return nil, err
		}
		if capture.CompareEntityIDs(rep, key[i]) != 0 {
			key[i], changed = rep, true
		}
	}
	if !changed {
		return entity, nil
	}
	return capture.EntityID(a.conn, t, key)
}

// resolveValues replaces, in a row's values, each reference to a merged
// row with the survivor's id.
func (a *applier) resolveValues(t schema.TableInfo, values map[string]any) error {
	if !a.aliasesAny {
		return nil
	}
	for _, fk := range a.fks[t.Name] {
		v, ok := values[fk.from]
		if !ok || v == nil {
			continue
		}
		rep, err := a.survivorOf(fk.parent, v)
		if err != nil {
			return err
		}
		values[fk.from] = rep
	}
	return nil
}

// naturalHolder returns the row of t, other than entity, that holds one of
// t's natural keys with the given values.
func (a *applier) naturalHolder(t schema.TableInfo, entity any, values map[string]any) (any, bool, error) {
	for _, k := range t.NaturalKeys {
		conds := make([]string, len(k.Columns))
		args := make([]any, len(k.Columns))
		complete := true
		for i, c := range k.Columns {
			v, ok := values[c]
			if !ok || v == nil {
				complete = false // NULLs are never equal
				break
			}
			conds[i] = triggers.Quote(c) + " = ? COLLATE " + triggers.Quote(k.Collations[i])
			args[i] = v
		}
		if !complete {
			continue
		}
		cols := quoteAll(keyNames(t))
		var holder any
		found := false
		err := a.query(`SELECT `+strings.Join(cols, ", ")+` FROM `+triggers.Quote(t.Name)+` WHERE `+strings.Join(conds, " AND "), args,
			func(s *sqlite3.Stmt) error {
				key := make([]any, len(t.Key))
				for i := range key {
					key[i] = capture.ColumnValue(s, i)
				}
				id, err := capture.EntityID(a.conn, t, key)
				if err == nil && capture.CompareEntityIDs(id, entity) != 0 {
					holder, found = id, true
				}
				return err
			})
		if err != nil || found {
			return holder, found, err
		}
	}
	return nil, false, nil
}

func keyNames(t schema.TableInfo) []string {
	out := make([]string, len(t.Key))
	for i, k := range t.Key {
		out[i] = k.Name
	}
	return out
}

// memberState is a member's registers and its own values.
type memberState struct {
	id     any
	regs   map[string]Reg
	values map[string]memberValue
}

type memberValue struct {
	value any
	hlc   int64
}

// readMember reads a member's registers and values.
func (a *applier) readMember(t schema.TableInfo, id any) (memberState, error) {
	m := memberState{id: id, values: map[string]memberValue{}}
	var err error
	if m.regs, err = a.allRegisters(t.Name, id); err != nil {
		return m, err
	}
	err = a.query(`SELECT field_name, value, hlc FROM member_values WHERE entity_type = ? AND entity_id = ?`, []any{t.Name, id},
		func(s *sqlite3.Stmt) error {
			m.values[s.ColumnText(0)] = memberValue{capture.ColumnValue(s, 1), s.ColumnInt64(2)}
			return nil
		})
	return m, err
}

// storeMember writes a member's values: those given, over those it has,
// each with the hlc of its field's effective stamp now (so that a later
// write of the field here, by the app, shows as newer).
func (a *applier) storeMember(t schema.TableInfo, id any, values map[string]any) error {
	m, err := a.readMember(t, id)
	if err != nil {
		return err
	}
	if len(m.regs) == 0 {
		return nil // no state of its own: a survivor only derivation made
	}
	a.membersAny = true
	// The key too, which placeMemberChildren looks references up in.
	key, err := capture.EntityKey(t, id)
	if err != nil {
		return err
	}
	for i, k := range t.Key {
		err := a.exec(`INSERT INTO member_values (entity_type, entity_id, field_name, value, hlc) VALUES (?, ?, ?, ?, 0)
			ON CONFLICT DO NOTHING`, t.Name, id, k.Name, key[i])
		if err != nil {
			return err
		}
	}
	var row map[string]any // the survivor's row, read when needed
	for _, c := range t.Columns {
		st, _ := capture.Effective(m.regs[""], m.regs[c.Name])
		v, ok := values[c.Name]
		if !ok {
			v = m.values[c.Name].value
			if int64(st.HLC) > m.values[c.Name].hlc {
				// Written here since, by the app: in the row.
				if row == nil {
					if row, err = a.tableRow(t, id); err != nil {
						return err
					}
				}
				if rv, ok := row[c.Name]; ok {
					v = rv
				}
			}
		}
		err := a.exec(`INSERT INTO member_values (entity_type, entity_id, field_name, value, hlc) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET value = excluded.value, hlc = excluded.hlc`, t.Name, id, c.Name, v, int64(st.HLC))
		if err != nil {
			return err
		}
	}
	return nil
}

// adoptMember makes an entity of its own a member: its values (its row in
// the table, or parked) go to member_values, and its parked values go.
func (a *applier) adoptMember(t schema.TableInfo, id any) error {
	n := 0
	if err := a.query(`SELECT count(*) FROM member_values WHERE entity_type = ? AND entity_id = ?`, []any{t.Name, id},
		func(s *sqlite3.Stmt) error { n = s.ColumnInt(0); return nil }); err != nil || n > 0 {
		return err
	}
	values, err := a.currentValues(t, t.Name, id)
	if err != nil {
		return err
	}
	// An entity with no registers has no state of its own (its first
	// record stores it, applyMember), even if its table has a row under
	// its id: the row of a class whose survivor only derivation made.
	if regs, err := a.allRegisters(t.Name, id); err != nil || len(regs) == 0 {
		return err
	}
	if err := a.storeMember(t, id, values); err != nil {
		return err
	}
	if a.parkedAny {
		return a.exec(`DELETE FROM parked_values WHERE entity_type = ? AND entity_id = ?`, t.Name, id)
	}
	return nil
}

// refreshMember takes into a member's own values the fields the app has
// written to its row since (a register newer than the member value): the
// survivor's row, or a row the app inserted under a merged-away id.
func (a *applier) refreshMember(t schema.TableInfo, id any) error {
	return a.storeMember(t, id, nil)
}

// combine computes a class's row from its members' states: alive when the
// member with the newest insert or delete is alive; each field from the
// newest write of it among the live members (and the writes made to a
// deleted member after its delete), where a NULL that a member only got
// from its insert does not count against another member's value. A member
// whose row has not arrived counts for nothing yet.
func combine(t schema.TableInfo, members []memberState) (values map[string]any, alive bool) {
	var newest Reg
	for _, m := range members {
		if e := m.regs[""]; e.Set && (!newest.Set || newest.Stamp.Less(e.Stamp)) {
			newest = e
		}
	}
	if !newest.Set || newest.Dead {
		return nil, false
	}
	values = map[string]any{}
	for _, c := range t.Columns {
		var best capture.Stamp
		var bestClaims, set bool
		for _, m := range members {
			exist, own := m.regs[""], m.regs[c.Name]
			if !exist.Set {
				continue // its row has not arrived: nor has what its writes hold
			}
			if exist.Dead {
				// A deleted member counts only with what was written
				// after its delete: an edit of the class's row, say,
				// whose survivor had been deleted on its own.
				if !own.Set || !exist.Stamp.Less(own.Stamp) {
					continue
				}
			}
			st, _ := capture.Effective(exist, own)
			v := m.values[c.Name].value
			claims := v != nil || own.Set && exist.Stamp.Less(own.Stamp)
			if !set || claims && !bestClaims || claims == bestClaims && best.Less(st) {
				values[c.Name], best, bestClaims, set = v, st, claims, true
			}
		}
	}
	return values, true
}
