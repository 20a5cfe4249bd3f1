package lww

import "github.com/capture-sync/capture/capture"

// Reg is a register as the merge sees it.
type Reg = capture.Register

// Wins reports whether a write stamped in replaces register r: r is unset,
// or in orders after its stamp. An equal stamp is the same write delivered
// again, and changes nothing.
func Wins(r Reg, in capture.Stamp) bool { return !r.Set || r.Stamp.Less(in) }

// Action says what happens to a value.
type Action int

// Actions on a value.
const (
	// Drop: the value loses, or no longer matters.
	Drop Action = iota
	// Write: write it to the row in its table.
	Write
	// Park: keep it aside (parked_values) until its row can take it: the
	// row is deleted but the value is newer than the delete, the row has
	// not arrived, its parent is missing, or its table or column is not in
	// this schema yet.
	Park
)

func (a Action) String() string {
	switch a {
	case Drop:
		return "drop"
	case Write:
		return "write"
	case Park:
		return "park"
	}
	return "?"
}

// DecideField decides an incoming field write stamped in, against the
// entity's existence register and the field's own register. It returns
// whether the field's register takes the write, and what happens to the
// value (hasValue is clear when the write carries only its stamp; placed is
// whether the row is in its table here and the column exists).
//
// A field's effective stamp is the higher of its own register and, while
// the row is alive, the existence register (an insert writes every field).
// So the value is written only if it is newer than both; a value newer than
// a delete is parked for a later re-insert; an edit never brings a deleted
// row back.
func DecideField(exist, field Reg, in capture.Stamp, hasValue, placed bool) (take bool, value Action) {
	if !Wins(field, in) {
		return false, Drop
	}
	switch {
	case !hasValue:
		return true, Drop
	case !exist.Set:
		return true, Park // the row has not arrived yet
	case !Wins(exist, in):
		return true, Drop // the row's (re)insert or delete is newer
	case exist.Dead:
		return true, Park // newer than the delete: kept for a re-insert
	case placed:
		return true, Write
	default:
		return true, Park
	}
}

// DecideRow decides an incoming existence write stamped in (a delete when
// alive is false) against the entity's existence register. It returns
// whether the register takes the write, and what happens to the row:
// Write (insert or update it from the write's values, field by field; see
// DecideColumn) or Drop (delete it). A write that loses changes nothing.
func DecideRow(exist Reg, in capture.Stamp, alive bool) (take bool, row Action) {
	if !Wins(exist, in) {
		return false, Drop
	}
	if alive {
		return true, Write
	}
	return true, Drop
}

// DecideColumn reports whether a winning insert stamped in sets a column
// whose own register is field: it does unless the field was written after
// the insert.
func DecideColumn(field Reg, in capture.Stamp) bool { return Wins(field, in) }
