package lww

import (
	"context"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// RepairReport says what Repair mended, and what Verify finds after it.
type RepairReport struct {
	// Adopted counts, by table, the rows written behind the capture
	// triggers that are now captured (Engine.Adopt): their inserts go to
	// the peers.
	Adopted map[string]int
	// Removed counts the rows taken out of their tables because the sync
	// state says they cannot be there: rows of deleted entities, and rows
	// under a merged-away id.
	Removed int
	// After is what Verify finds once the repair is committed: what only
	// a peer can give back (Violation.PeerOnly), and anything the repair
	// could not mend.
	After *VerifyReport
}

// Repair mends, in one transaction, what the sync state determines
// (docs/merge-semantics.md, "What a table holds"): it captures rows
// written behind the capture triggers (as Engine.Adopt does), folds the
// app's writes into their classes, takes out of their tables the rows
// the state says cannot be there, places every parked value that can be
// placed, writes every class's row again from its members' states, merges
// rows that hold one natural key, parks rows whose parent is missing, and
// records rows that left or entered a row filter. It then runs Verify and
// reports what is left: a live entity whose row was deleted behind the
// triggers' back has no values here, and only a peer can give them back
// (Engine.Reset with StartOver, then a sync).
func Repair(ctx context.Context, e *capture.Engine) (rep RepairReport, err error) {
	conn := e.Conn()
	if conn == nil {
		return rep, capture.ErrClosed
	}
	if err := repair(ctx, e, &rep); err != nil {
		return rep, fmt.Errorf("lww: repair: %w", err)
	}
	if rep.After, err = Verify(ctx, e, VerifyOptions{}); err != nil {
		return rep, fmt.Errorf("lww: repair: %w", err)
	}
	if rep.After.OK() {
		if err := e.ClearDivergence(ctx); err != nil {
			return rep, fmt.Errorf("lww: repair: %w", err)
		}
	}
	return rep, nil
}

func repair(ctx context.Context, e *capture.Engine, rep *RepairReport) (err error) {
	conn := e.Conn()
	old := conn.SetInterrupt(ctx)
	defer conn.SetInterrupt(old)
	tx, err := conn.BeginImmediate()
	if err != nil {
		return err
	}
	defer tx.End(&err)
	// Adopted first, as the app's writes: they are captured with the
	// triggers' rules, and folded below like any other.
	if rep.Adopted, err = e.Adopt(ctx); err != nil {
		return err
	}
	a, err := newApplier(e, Options{})
	if err != nil {
		return err
	}
	defer a.close()
	if a.lastClock, err = e.Clock(ctx); err != nil {
		return err
	}
	if err := a.begin(); err != nil {
		return err
	}
	steps := []struct {
		what string
		fn   func() error
	}{
		{"fold the app's writes into their classes", a.foldStrays},
		{"remove rows that cannot be there", func() error { n, err := a.removeStrays(); rep.Removed = n; return err }},
		{"place parked values", a.replay},
		{"write classes' rows again", a.recombineAll},
		{"settle", a.settle},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	if err := a.exec(`UPDATE sync_state SET applying = NULL,
		folded_seq = (SELECT coalesce(max(seq), 0) FROM local_changes) WHERE id = 1`); err != nil {
		return err
	}
	_, _, err = e.ReconcileFilters(ctx)
	return err
}

// removeStrays takes out of its table every row (in its filter, not
// device-local) of an entity whose existence register says it is deleted,
// and every row under a merged-away id, and returns how many. A deleted
// entity's fields written after its delete are parked for a re-insert,
// and its children parked as a cascade would take them (deleteRow); a
// merged-away row's children go to its survivor (leaveTable).
func (a *applier) removeStrays() (int, error) {
	n := 0
	for _, t := range a.e.Tables() {
		q := triggers.Quote(t.Name)
		var ids []any
		err := a.query(`SELECT `+triggers.EntityID(t, q)+` FROM `+q+` WHERE `+triggers.Syncs(t, q), nil, func(s *sqlite3.Stmt) error {
			ids = append(ids, capture.ColumnValue(s, 0))
			return nil
		})
		if err != nil {
			return n, err
		}
		for _, id := range ids {
			removed, err := a.removeStray(t, id)
			if err != nil {
				return n, fmt.Errorf("%s %v: %w", t.Name, id, err)
			}
			if removed {
				n++
			}
		}
	}
	return n, nil
}

// removeStray removes the row id of t if the sync state says it cannot be
// there, and reports whether it did.
func (a *applier) removeStray(t schema.TableInfo, id any) (bool, error) {
	rep, err := a.survivorOf(t.Name, id)
	if err != nil {
		return false, err
	}
	if capture.CompareEntityIDs(rep, id) != 0 {
		return true, a.leaveTable(t, id, rep, 0)
	}
	exist, _, err := a.registers(t.Name, id, "")
	if err != nil || !exist.Set || !exist.Dead {
		return false, err
	}
	if c, err := a.classOf(t, id); err != nil || c != nil {
		return false, err // a class's row: recombineAll
	}
	return true, a.deleteRow(t, id)
}

// recombineAll writes the row of every class again from its members'
// states.
func (a *applier) recombineAll() error {
	return a.eachClass(func(t schema.TableInfo, rep any) error { return a.recombineIfMember(t, rep, 0) })
}
