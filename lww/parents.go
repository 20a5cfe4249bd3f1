package lww

import (
	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/triggers"
)

// A row whose parent is missing is parked, so placing a row first looks
// its parents up: a statement per foreign key per row. The applier
// remembers the parent keys it has seen present, or placed itself, in the
// current Apply: the fifty tags that 100,000 release tags point to are
// looked up once each. A parent leaves its table only through remove (or a
// cascade that remove starts), which forgets everything, unless the schema
// lets a write delete rows by itself: a trigger other than the capture
// triggers, or an ON CONFLICT REPLACE clause. Then nothing is remembered.

// maxKnownParents bounds the memory the remembered keys take.
const maxKnownParents = 1 << 17

// parentRef names the referenced column of a foreign key.
type parentRef struct{ table, column string }

// rememberable reports whether a foreign key's parent can be remembered:
// it references its parent's one key column (which an upsert never
// changes), with a value that can be a map key.
func (a *applier) rememberable(fk foreignKey, v any) bool {
	if _, ok := v.([]byte); ok || a.parentsUnsafe {
		return false
	}
	p, ok := a.tables[fk.parent]
	return ok && len(p.Key) == 1 && p.Key[0].Name == fk.to
}

func (a *applier) knownParent(fk foreignKey, v any) bool {
	return a.rememberable(fk, v) && a.parents[parentRef{fk.parent, fk.to}][v]
}

func (a *applier) rememberParent(fk foreignKey, v any) {
	if !a.rememberable(fk, v) {
		return
	}
	if a.parentCount >= maxKnownParents {
		a.forgetParents()
	}
	ref := parentRef{fk.parent, fk.to}
	if a.parents == nil {
		a.parents = map[parentRef]map[any]bool{}
	}
	if a.parents[ref] == nil {
		a.parents[ref] = map[any]bool{}
	}
	if !a.parents[ref][v] {
		a.parents[ref][v] = true
		a.parentCount++
	}
}

// placedParent remembers a row just placed in table t as a parent of the
// foreign keys that reference t.
func (a *applier) placedParent(t string, values map[string]any) {
	for _, fks := range a.fks {
		for _, fk := range fks {
			if v, ok := values[fk.to]; ok && fk.parent == t && v != nil {
				a.rememberParent(fk, v)
			}
		}
	}
}

func (a *applier) forgetParents() {
	a.parents, a.parentCount = nil, 0
}

// parentsUnsafe reports whether a write may delete rows other than through
// remove: the schema has a trigger that is not a capture trigger, or a
// table with an ON CONFLICT REPLACE clause (whose REPLACE deletes the row
// in the way).
func parentsUnsafe(a *applier) (bool, error) {
	unsafe := false
	err := a.query(`SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE
		(type = 'trigger' AND substr(name, 1, length(?1)) <> ?1) OR (type = 'table' AND upper(sql) LIKE '%REPLACE%'))`, []any{triggers.Prefix},
		func(s *sqlite3.Stmt) error { unsafe = s.ColumnBool(0); return nil })
	return unsafe, err
}
