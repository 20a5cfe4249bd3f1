package main

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/triggers"
)

// registersName names the register list in a syncState.
const registersName = "field_timestamps (registers)"

// syncState is what two devices that have exchanged everything must hold
// alike: the rows of every synced table (key and tracked columns, without
// the device-local keys) and every register, with its origin spelled out
// (a NULL origin is the device's own node id) and without the local
// sequence numbers. Each row is one line, values typed, so that 1 and '1'
// differ.
type syncState struct {
	// names lists the tables in order, registersName last.
	names []string
	rows  map[string][]string
}

// readState reads eng's sync state.
func readState(eng *capture.Engine) (syncState, error) {
	st := syncState{rows: map[string][]string{}}
	conn := eng.Conn()
	for _, t := range eng.Tables() {
		cols := make([]string, 0, len(t.Key)+len(t.Columns))
		keys := make([]string, 0, len(t.Key))
		for _, k := range t.Key {
			cols = append(cols, triggers.Quote(k.Name))
			keys = append(keys, triggers.Quote(k.Name))
		}
		for _, c := range t.Columns {
			cols = append(cols, triggers.Quote(c.Name))
		}
		// Device-local rows, and rows outside a row filter, differ by
		// design.
		q := `SELECT ` + strings.Join(cols, ", ") + ` FROM ` + triggers.Quote(t.Name) +
			` WHERE ` + triggers.Syncs(t, triggers.Quote(t.Name)) + ` ORDER BY ` + strings.Join(keys, ", ")
		rows, err := stateRows(conn, q)
		if err != nil {
			return st, fmt.Errorf("read %s: %w", t.Name, err)
		}
		st.names = append(st.names, t.Name)
		st.rows[t.Name] = rows
	}
	regs, err := stateRows(conn, `SELECT entity_type, entity_id, field_name, hlc, coalesce(origin, ?), tombstone
		FROM field_timestamps ORDER BY entity_type, entity_id, field_name`, eng.NodeID())
	if err != nil {
		return st, fmt.Errorf("read the registers: %w", err)
	}
	st.names = append(st.names, registersName)
	st.rows[registersName] = regs
	return st, nil
}

// stateRows runs a query and returns each row as one line of typed values.
func stateRows(conn *sqlite3.Conn, sql string, args ...any) ([]string, error) {
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	for i, a := range args {
		if err := capture.BindValue(stmt, i+1, a); err != nil {
			return nil, err
		}
	}
	rows := []string{}
	for stmt.Step() {
		cells := make([]string, stmt.ColumnCount())
		for i := range cells {
			cells[i] = typedValue(capture.ColumnValue(stmt, i))
		}
		rows = append(rows, strings.Join(cells, " | "))
	}
	return rows, stmt.Err()
}

// typedValue renders a value exactly, with its type.
func typedValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return "real " + strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return strconv.Quote(x)
	case []byte:
		return "X'" + hex.EncodeToString(x) + "'"
	}
	return fmt.Sprintf("%T %v", v, v)
}

// stateDiff compares one table (or the registers) on two devices.
type stateDiff struct {
	name   string
	a, b   int // row counts
	same   bool
	sample string // the first line that differs, for people
}

// compareStates compares two devices' states, table by table (the tables
// of either).
func compareStates(a, b syncState) []stateDiff {
	names := slices.Clone(a.names)
	for _, n := range b.names {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	out := make([]stateDiff, 0, len(names))
	for _, n := range names {
		ra, rb := a.rows[n], b.rows[n]
		d := stateDiff{name: n, a: len(ra), b: len(rb), same: slices.Equal(ra, rb)}
		if !d.same {
			d.sample = firstDifference(ra, rb)
		}
		out = append(out, d)
	}
	return out
}

// firstDifference describes the first line found on one side only.
func firstDifference(a, b []string) string {
	inB := map[string]bool{}
	for _, r := range b {
		inB[r] = true
	}
	for _, r := range a {
		if !inB[r] {
			return "only on the first: " + r
		}
	}
	inA := map[string]bool{}
	for _, r := range a {
		inA[r] = true
	}
	for _, r := range b {
		if !inA[r] {
			return "only on the second: " + r
		}
	}
	return "same lines, other order or count"
}
