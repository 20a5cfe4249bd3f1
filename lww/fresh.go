package lww

import (
	"github.com/capture-sync/capture/capture"
	"github.com/ncruces/go-sqlite3"
)

// Reading an entity's registers is a statement per record; on a first sync
// into an empty database every such read finds nothing. fresh spares them
// without holding a set of the entities seen: for each table that had no
// registers when the Apply began, it keeps the greatest entity id (in
// SQLite's order) whose registers this Apply has written. An entity above
// it has none. A snapshot arrives sorted by entity, so every read of it is
// spared; records out of that order are read as usual.

// freshTable is what fresh knows of one table.
type freshTable struct {
	empty bool // no registers when the Apply began
	hi    any  // the greatest entity written since, or nil
	hiSet bool
}

// noRegisters reports whether the entity is known to have no registers.
// In a keyed table (schema.TableInfo.Keyed) an entity has registers only
// once it has a key, so an entity of a table that had no registers and
// that is not above the greatest one written (records out of entity order)
// is looked up there: one lookup instead of a read of its registers.
func (a *applier) noRegisters(table string, entity any) (bool, error) {
	f, err := a.freshness(table)
	if err != nil || !f.empty {
		return false, err
	}
	if !f.hiSet || capture.CompareEntityIDs(entity, f.hi) > 0 {
		return true, nil
	}
	if !a.keyed(table) {
		return false, nil
	}
	s, err := a.prepared(sqlKey{kind: "entity key", table: table}, entityKeySQL(table))
	if err != nil {
		return false, err
	}
	if err := capture.BindValue(s, 1, entity); err != nil {
		return false, err
	}
	found := s.Step()
	return !found, firstErr(s.Err(), s.Reset())
}

// wroteRegister notes that the entity has a register now.
func (a *applier) wroteRegister(table string, entity any) {
	f, ok := a.fresh[table]
	if !ok || !f.empty {
		return
	}
	if !f.hiSet || capture.CompareEntityIDs(entity, f.hi) > 0 {
		f.hi, f.hiSet = entity, true
	}
}

func (a *applier) freshness(table string) (*freshTable, error) {
	if f, ok := a.fresh[table]; ok {
		return f, nil
	}
	f := &freshTable{}
	err := a.query(`SELECT NOT EXISTS (SELECT 1 FROM field_timestamps WHERE entity_type = ?)`, []any{table}, func(s *sqlite3.Stmt) error {
		f.empty = s.ColumnBool(0)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if a.fresh == nil {
		a.fresh = map[string]*freshTable{}
	}
	a.fresh[table] = f
	return f, nil
}
