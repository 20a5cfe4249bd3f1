package lww

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/triggers"
)

// settle is the end of an Apply, after its last batch: it establishes
// the invariants that the records' own order may have left open
// (docs/merge-semantics.md, "What a table holds"), phase by phase, until
// none has anything left to do:
//
//  1. place the parked values that can be placed now (replay), for the
//     batches' order is not the sender's;
//  2. merge the rows that hold one natural key (mergeCollisions);
//  3. take out of their tables the rows whose parent is not there
//     (settleParents): the owner of "every child's parent is present".
//
// A row that step 3 takes out may free a natural key or a unique value
// for a row waiting in step 1, so the steps run again while step 3 finds
// anything. Step 1 places a row only when its parents are present, so a
// row step 3 took out comes back only once its parent has; the rounds are
// bounded all the same (maxMergeDepth), past which the Apply fails rather
// than loop.
func (a *applier) settle() error {
	for round := 0; ; round++ {
		if round > maxMergeDepth {
			return fmt.Errorf("settle: more than %d rounds", maxMergeDepth)
		}
		if a.parkedHere || round > 0 {
			if err := a.replay(); err != nil {
				return fmt.Errorf("replay of parked values: %w", err)
			}
			if round > 0 {
				if err := a.replayClasses(); err != nil {
					return fmt.Errorf("replay of merged rows: %w", err)
				}
			}
		}
		if err := a.mergeCollisions(); err != nil {
			return fmt.Errorf("identity merges: %w", err)
		}
		moved, err := a.settleParents()
		if err != nil {
			return fmt.Errorf("rows without their parent: %w", err)
		}
		if !moved {
			return nil
		}
	}
}

// settleParents takes out of its table every row of a synced table whose
// parent row is not there, and reports whether it found any. A row of its
// own is parked, to come back with its parent (placeChildren); a class's
// row leaves its table, its members keeping their states, and comes back
// with its parent (placeMemberChildren, replayClasses). Either way the
// rows that reference it are parked as a cascade would take them.
//
// It costs nothing when no foreign key is pending: SQLite counts the
// deferred violations of the transaction, and the tables are read only
// when the count is not zero.
func (a *applier) settleParents() (bool, error) {
	if n, _, err := a.conn.Status(sqlite3.DBSTATUS_DEFERRED_FKS, false); err != nil || n == 0 {
		return false, err
	}
	moved := false
	for _, t := range a.e.Tables() {
		if t.WithoutRowID {
			continue // its violations name no row: the commit refuses them
		}
		var ids []any
		err := a.query(`SELECT rowid FROM pragma_foreign_key_check(?)`, []any{t.Name}, func(s *sqlite3.Stmt) error {
			ids = append(ids, s.ColumnInt64(0))
			return nil
		})
		if err != nil {
			return false, err
		}
		for _, rowid := range ids {
			var id any
			err := a.query(`SELECT `+triggers.EntityID(t, `"r"`)+` FROM `+triggers.Quote(t.Name)+` AS "r" WHERE rowid = ?`, []any{rowid},
				func(s *sqlite3.Stmt) error { id = capture.ColumnValue(s, 0); return nil })
			if err != nil {
				return false, err
			}
			if id == nil {
				continue // taken out already, with a parent of its own
			}
			row, err := a.tableRow(t, id)
			if err != nil || len(row) == 0 {
				if err != nil {
					return false, err
				}
				continue
			}
			moved = true
			c, err := a.classOf(t, id)
			if err != nil {
				return false, err
			}
			if c == nil {
				if err := a.parkRow(t.Name, id, row); err != nil {
					return false, err
				}
			}
			if err := a.remove(t, id, row); err != nil {
				return false, err
			}
		}
	}
	return moved, nil
}
