package lww

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// Rule names one invariant that ties a synced table to its device's sync
// state (docs/merge-semantics.md, "What a table holds").
type Rule string

// The invariants Verify checks.
const (
	// RuleRowLive: every row in a synced table (in its filter, not a
	// device-local row) is a live entity, or the survivor of a live class.
	RuleRowLive Rule = "row-live"
	// RuleEntityPresent: every live entity, and every live class, is in
	// its table, or waits out of it for a reason that still holds: a
	// parent not here, a required value not here yet, or a unique value
	// (not a natural key) another row holds. Its values are here: in its
	// row, or parked.
	RuleEntityPresent Rule = "entity-present"
	// RuleParkedPlaced: no parked value that still counts could be
	// written over its row, which is in its table.
	RuleParkedPlaced Rule = "parked-placed"
	// RuleClassRow: a class's row is the combination of its members'
	// states (combine), under the survivor's id.
	RuleClassRow Rule = "class-row"
	// RuleParentPresent: every row's parents are in their tables.
	RuleParentPresent Rule = "parent-present"
	// RuleNaturalKey: no two rows share a natural key, and no live entity
	// waits out of its table on a natural key another row holds: they are
	// one entity, and merge.
	RuleNaturalKey Rule = "natural-key"
	// RuleFilter: a row outside its table's row filter is not a live
	// entity for the peers.
	RuleFilter Rule = "filter"
)

// Violation is one place where a table does not match the sync state.
type Violation struct {
	Rule   Rule
	Table  string
	Entity any
	// Field is the column concerned, "" for the whole row.
	Field string
	// Want is what the sync state says should be there; Got what is.
	Want, Got string
	// PeerOnly is set when the state here cannot mend it (the values are
	// gone): only a peer can give them back (Engine.Reset with StartOver).
	PeerOnly bool
}

func (v Violation) String() string {
	s := fmt.Sprintf("%s: %s %v", v.Rule, v.Table, v.Entity)
	if v.Field != "" {
		s += " " + v.Field
	}
	return s + ": want " + v.Want + ", got " + v.Got
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	// Violations lists the violations found, up to VerifyOptions.Limit;
	// Total counts them all.
	Violations []Violation
	Total      int
	// Rows counts the table rows checked; Entities the live entities.
	Rows, Entities int
}

// OK reports whether the database holds every invariant.
func (r *VerifyReport) OK() bool { return r.Total == 0 }

// DefaultVerifyLimit bounds the violations a VerifyReport lists.
const DefaultVerifyLimit = 1000

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Limit bounds the violations listed (Total still counts all); zero
	// means DefaultVerifyLimit.
	Limit int
}

// ErrVerifyInTransaction is returned by Verify on a connection inside a
// transaction: it reads in one of its own, and rolls it back.
var ErrVerifyInTransaction = errors.New("verify runs in a transaction of its own; the connection is in one")

// Verify checks every invariant of docs/merge-semantics.md ("What a table
// holds") on e's database, and reports each violation: its rule, table,
// entity, field, and what the sync state wants against what the table
// has. It reads in one transaction, which it always rolls back: whether a
// value waiting out of its table could be placed is tried in a savepoint
// (a write lock is taken then). Memory grows with the violations listed,
// the entities that wait out of their tables or have parked values, and,
// where there are classes, the entities the app wrote since the last
// Apply; not with the tables.
//
// A class the app wrote to since the last Apply is not checked: the next
// Apply folds that write into the class (docs/merge-semantics.md).
func Verify(ctx context.Context, e *capture.Engine, opts VerifyOptions) (*VerifyReport, error) {
	if opts.Limit <= 0 {
		opts.Limit = DefaultVerifyLimit
	}
	conn := e.Conn()
	if conn == nil {
		return nil, capture.ErrClosed
	}
	if !conn.GetAutocommit() {
		return nil, ErrVerifyInTransaction
	}
	if err := conn.Exec(`BEGIN`); err != nil {
		return nil, fmt.Errorf("lww: verify: %w", err)
	}
	// Rolled back after the context stops interrupting the connection, so
	// that a cancelled context cannot leave the transaction open.
	defer conn.Exec(`ROLLBACK`)
	old := conn.SetInterrupt(ctx)
	defer conn.SetInterrupt(old)
	fail := func(err error) (*VerifyReport, error) {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("lww: verify: %w (%v)", ctx.Err(), err)
		}
		return nil, fmt.Errorf("lww: verify: %w", err)
	}
	v, err := newVerifier(e, opts.Limit)
	if err != nil {
		return fail(err)
	}
	defer v.a.close()
	if err := v.run(); err != nil {
		return fail(err)
	}
	return v.rep, nil
}

// verifier checks the invariants, with an applier's statements and
// helpers, none of which it lets write.
type verifier struct {
	a     *applier
	rep   *VerifyReport
	limit int
	// pending holds the entities the app wrote to since the last Apply
	// (table NUL id), when there are classes: the next Apply folds them.
	pending map[string]bool
}

func newVerifier(e *capture.Engine, limit int) (*verifier, error) {
	a, err := newApplier(e, Options{})
	if err != nil {
		return nil, err
	}
	v := &verifier{a: a, rep: &VerifyReport{}, limit: limit}
	if a.aliasesAny {
		v.pending = map[string]bool{}
		err := a.query(`SELECT DISTINCT entity_type, entity_id FROM local_changes
			WHERE seq > (SELECT folded_seq FROM sync_state WHERE id = 1)`, nil, func(s *sqlite3.Stmt) error {
			v.pending[pendingKey(s.ColumnText(0), capture.ColumnValue(s, 1))] = true
			return nil
		})
		if err != nil {
			a.close()
			return nil, err
		}
	}
	return v, nil
}

func pendingKey(table string, id any) string { return table + "\x00" + fmt.Sprintf("%#v", id) }

func (v *verifier) add(x Violation) {
	v.rep.Total++
	if len(v.rep.Violations) < v.limit {
		v.rep.Violations = append(v.rep.Violations, x)
	}
}

func (v *verifier) run() error {
	for _, t := range v.a.e.Tables() {
		steps := []struct {
			what string
			fn   func(schema.TableInfo) error
		}{
			{"rows", v.rows},
			{"live entities", v.entities},
			{"parked values", v.parkedValues},
			{"classes", v.classes},
			{"parents", v.parents},
			{"natural keys", v.naturalKeys},
		}
		for _, s := range steps {
			if err := s.fn(t); err != nil {
				return fmt.Errorf("%s of %s: %w", s.what, t.Name, err)
			}
		}
	}
	return nil
}

// alias returns the survivor entity is merged into (itself when it is
// not merged away) and whether that alias is derived.
func (v *verifier) alias(t schema.TableInfo, id any) (any, bool, error) {
	rep, derived := id, false
	if !v.a.aliasesAny {
		return rep, false, nil
	}
	err := v.a.query(`SELECT survivor, derived FROM entity_aliases WHERE entity_type = ? AND entity_id = ?`, []any{t.Name, id},
		func(s *sqlite3.Stmt) error {
			rep, derived = capture.ColumnValue(s, 0), s.ColumnBool(1)
			return nil
		})
	return rep, derived, err
}

// isSurvivor reports whether id is the survivor of a class.
func (v *verifier) isSurvivor(t schema.TableInfo, id any) (bool, error) {
	if !v.a.aliasesAny {
		return false, nil
	}
	found := false
	err := v.a.query(`SELECT 1 FROM entity_aliases WHERE entity_type = ? AND survivor = ? LIMIT 1`, []any{t.Name, id},
		func(*sqlite3.Stmt) error { found = true; return nil })
	return found, err
}

// rows checks every row of t's table: RuleRowLive and RuleFilter. A
// class's survivor row is checked with its class.
func (v *verifier) rows(t schema.TableInfo) error {
	q := triggers.Quote(t.Name)
	local := "0"
	if len(t.LocalKeys) > 0 {
		lits := make([]string, len(t.LocalKeys))
		for i, k := range t.LocalKeys {
			lits[i] = triggers.Literal(k)
		}
		local = q + "." + triggers.Quote(t.Key[0].Name) + " IN (" + strings.Join(lits, ", ") + ")"
	}
	sql := `SELECT ` + triggers.EntityID(t, q) + `, ` + local + `, ` + triggers.Syncs(t, q) + ` FROM ` + q
	s, _, err := v.a.conn.Prepare(sql)
	if err != nil {
		return err
	}
	defer s.Close()
	for s.Step() {
		v.rep.Rows++
		id := capture.ColumnValue(s, 0)
		if s.ColumnBool(1) {
			continue // device-local
		}
		in := s.ColumnBool(2)
		exist, _, err := v.a.registers(t.Name, id, "")
		if err != nil {
			return err
		}
		if !in {
			if exist.Set && !exist.Dead {
				v.add(Violation{Rule: RuleFilter, Table: t.Name, Entity: id, Want: "no live entity outside the row filter",
					Got: "a live existence register " + exist.Stamp.String()})
			}
			continue
		}
		rep, derived, err := v.alias(t, id)
		if err != nil {
			return err
		}
		if capture.CompareEntityIDs(rep, id) != 0 {
			if !v.pending[pendingKey(t.Name, id)] {
				what := "merged into"
				if derived {
					what = "one row with"
				}
				v.add(Violation{Rule: RuleRowLive, Table: t.Name, Entity: id, Want: fmt.Sprintf("no row: %s %v", what, rep), Got: "a row"})
			}
			continue
		}
		if surv, err := v.isSurvivor(t, id); err != nil {
			return err
		} else if surv {
			continue // classes
		}
		switch {
		case !exist.Set:
			v.add(Violation{Rule: RuleRowLive, Table: t.Name, Entity: id, Want: "a live entity (an existence register)",
				Got: "a row no capture recorded (written with the capture triggers off)"})
		case exist.Dead:
			v.add(Violation{Rule: RuleRowLive, Table: t.Name, Entity: id, Want: "no row: deleted " + exist.Stamp.String(), Got: "a row"})
		}
	}
	return s.Err()
}

// entities checks every live entity of t that is not in a class:
// RuleEntityPresent. Those out of their table are gathered first, then
// tried (tryPlace writes in a savepoint).
func (v *verifier) entities(t schema.TableInfo) error {
	var absent []any
	exists, _, err := v.a.conn.Prepare(v.a.existsSQL(t))
	if err != nil {
		return err
	}
	defer exists.Close()
	err = v.a.query(`SELECT entity_id FROM field_timestamps WHERE entity_type = ? AND field_name = '' AND tombstone = 0`, []any{t.Name},
		func(s *sqlite3.Stmt) error {
			v.rep.Entities++
			id := capture.ColumnValue(s, 0)
			key, err := capture.EntityKey(t, id)
			if err != nil {
				v.add(Violation{Rule: RuleRowLive, Table: t.Name, Entity: id, Want: "an entity id of the table's key", Got: err.Error()})
				return nil
			}
			if err := exists.Reset(); err != nil {
				return err
			}
			if err := bind(exists, key); err != nil {
				return err
			}
			here := exists.Step()
			if err := exists.Err(); err != nil {
				return err
			}
			if !here {
				absent = append(absent, id)
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, id := range absent {
		rep, _, err := v.alias(t, id)
		if err != nil {
			return err
		}
		if capture.CompareEntityIDs(rep, id) != 0 {
			continue // a member of a class: classes
		}
		if surv, err := v.isSurvivor(t, id); err != nil || surv {
			if err != nil {
				return err
			}
			continue
		}
		parked, err := v.counting(t.Name, id)
		if err != nil {
			return err
		}
		if len(parked) == 0 {
			v.add(Violation{Rule: RuleEntityPresent, Table: t.Name, Entity: id, Want: "its row, or its values parked",
				Got: "neither: its row was deleted behind the capture triggers", PeerOnly: true})
			continue
		}
		key, _ := capture.EntityKey(t, id)
		for i, k := range t.Key {
			parked[k.Name] = key[i]
		}
		if err := v.placeable(t, id, parked, nil); err != nil {
			return err
		}
	}
	return nil
}

// counting returns an entity's parked values that count: those whose
// stamp is their field's effective stamp. Unlike applier.parked, it drops
// nothing.
func (v *verifier) counting(table string, id any) (map[string]any, error) {
	out := map[string]any{}
	if !v.a.parkedAny {
		return out, nil
	}
	regs, err := v.a.allRegisters(table, id)
	if err != nil {
		return nil, err
	}
	err = v.a.query(`SELECT field_name, value, hlc, coalesce(origin, ?) FROM parked_values WHERE entity_type = ? AND entity_id = ?`,
		[]any{v.a.self, table, id}, func(s *sqlite3.Stmt) error {
			field := s.ColumnText(0)
			st := capture.Stamp{HLC: capture.HLC(s.ColumnInt64(2)), Node: s.ColumnText(3)}
			if eff, ok := capture.Effective(regs[""], v.a.fieldReg(regs, table, field)); ok && eff == st {
				out[field] = capture.ColumnValue(s, 1)
			}
			return nil
		})
	return out, err
}
