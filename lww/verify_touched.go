package lww

import (
	"fmt"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
)

// maxTouched bounds the entities an Apply checks at its end (checkTouched).
const maxTouched = 4096

// touchKey names one entity an Apply touched off the plain path.
type touchKey struct {
	table string
	id    string // fmt %#v of the entity id
}

// touch notes that the Apply parked, removed, merged or recombined an
// entity of table: the end of the Apply checks it (checkTouched). A record
// written straight to its row is not noted: only those paths interact.
func (a *applier) touch(table string, id any) {
	if len(a.touched) >= maxTouched {
		return
	}
	if a.touched == nil {
		a.touched = map[touchKey]any{}
	}
	a.touched[touchKey{table, fmt.Sprintf("%#v", id)}] = id
}

// checkTouched runs the entity-level checks of Verify on the entities the
// Apply touched off the plain path (touch), inside its transaction, and
// returns the violations found (at most limit). Parents and natural keys
// need no check here: settle leaves no deferred foreign key pending, and
// the unique indexes hold the natural keys.
func (a *applier) checkTouched(limit int) ([]Violation, error) {
	if len(a.touched) == 0 {
		return nil, nil
	}
	v := &verifier{a: a, rep: &VerifyReport{}, limit: limit}
	for k, id := range a.touched {
		t, ok := a.tables[k.table]
		if !ok {
			continue
		}
		if err := v.entity(t, id); err != nil {
			return nil, fmt.Errorf("check %s %v: %w", t.Name, id, err)
		}
	}
	return v.rep.Violations, nil
}

// entity checks one entity of t: its row or its absence (RuleRowLive,
// RuleEntityPresent, RuleFilter), its parked values (RuleParkedPlaced),
// and its class (RuleClassRow).
func (v *verifier) entity(t schema.TableInfo, id any) error {
	row, err := v.a.tableRow(t, id)
	if err != nil {
		return nil // not an id of t's key: never placed
	}
	rep, _, err := v.alias(t, id)
	if err != nil {
		return err
	}
	if capture.CompareEntityIDs(rep, id) != 0 {
		if len(row) > 0 {
			v.add(Violation{Rule: RuleRowLive, Table: t.Name, Entity: id, Want: fmt.Sprintf("no row: one with %v", rep), Got: "a row"})
		}
		return v.class(t, rep)
	}
	if surv, err := v.isSurvivor(t, id); err != nil || surv {
		if err != nil {
			return err
		}
		return v.class(t, id)
	}
	exist, _, err := v.a.registers(t.Name, id, "")
	if err != nil {
		return err
	}
	live := exist.Set && !exist.Dead
	if len(row) > 0 {
		if t.Filter != nil {
			if in, err := v.a.inFilter(t, id); err != nil || !in {
				return err // ReconcileFilters owns it
			}
		}
		if !live {
			v.add(Violation{Rule: RuleRowLive, Table: t.Name, Entity: id, Want: "no row: not a live entity", Got: "a row"})
			return nil
		}
		return v.parkedOver(t, id, row)
	}
	if !live {
		return nil
	}
	parked, err := v.counting(t.Name, id)
	if err != nil || len(parked) == 0 {
		if err == nil {
			v.add(Violation{Rule: RuleEntityPresent, Table: t.Name, Entity: id, Want: "its row, or its values parked", Got: "neither"})
		}
		return err
	}
	key, _ := capture.EntityKey(t, id)
	for i, k := range t.Key {
		parked[k.Name] = key[i]
	}
	return v.placeable(t, id, parked, nil)
}
