package capture

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/triggers"
)

// ErrUnknownTable: the table does not sync.
var ErrUnknownTable = errors.New("table does not sync")

// ErrUnknownEntity: no row and no register has that entity id.
var ErrUnknownEntity = errors.New("no such entity")

// FieldState is one tracked field of an entity as last-writer-wins sees it.
type FieldState struct {
	// Field is the column, "" for the row's existence.
	Field string
	// Value is the field's value in the table (nil when the row does not
	// exist here).
	Value any
	// Stamp is the field's effective stamp: its own register's, or the
	// existence register's when that is newer (an insert stamps every
	// field).
	Stamp Stamp
	// Own is whether the field has a register of its own.
	Own bool
	// Deleted is set on the existence entry of a deleted row.
	Deleted bool
}

// Fields returns the existence register and every tracked field of one
// entity, with values and effective stamps.
func (e *Engine) Fields(ctx context.Context, table string, entityID any) ([]FieldState, error) {
	if e.conn == nil {
		return nil, ErrClosed
	}
	t, ok := e.Table(table)
	if !ok {
		return nil, fmt.Errorf("capture: %s: %w", table, ErrUnknownTable)
	}
	key, err := EntityKey(t, entityID)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	regs := map[string]FieldState{}
	err = e.query(`SELECT field_name, hlc, coalesce(origin, ?), tombstone FROM field_timestamps WHERE entity_type = ? AND entity_id = ?`,
		[]any{e.nodeID, table, entityID}, func(s *sqlite3.Stmt) error {
			regs[s.ColumnText(0)] = FieldState{Field: s.ColumnText(0), Stamp: Stamp{HLC(s.ColumnInt64(1)), s.ColumnText(2)},
				Own: true, Deleted: s.ColumnBool(3)}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("capture: fields of %s %v: %w", table, entityID, err)
	}
	values := map[string]any{}
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = triggers.Quote(c.Name)
	}
	found := false
	if len(cols) > 0 {
		err = e.queryRow(`SELECT `+strings.Join(cols, ", ")+` FROM `+triggers.Quote(t.Name)+` WHERE `+keyWhere(t), key, func(s *sqlite3.Stmt) {
			found = true
			for i, c := range t.Columns {
				values[c.Name] = ColumnValue(s, i)
			}
		})
	} else {
		err = e.queryRow(`SELECT 1 FROM `+triggers.Quote(t.Name)+` WHERE `+keyWhere(t), key, func(*sqlite3.Stmt) { found = true })
	}
	if err != nil && !errors.Is(err, errNoRow) {
		return nil, fmt.Errorf("capture: fields of %s %v: %w", table, entityID, err)
	}
	exist, ok := regs[""]
	if !found && !ok {
		return nil, fmt.Errorf("capture: %s %v: %w", table, entityID, ErrUnknownEntity)
	}
	out := []FieldState{exist}
	existReg := Register{Set: ok, Stamp: exist.Stamp, Dead: exist.Deleted}
	for _, c := range t.Columns {
		f, own := regs[c.Name]
		f.Field, f.Value = c.Name, values[c.Name]
		if st, ok := Effective(existReg, Register{Set: own, Stamp: f.Stamp}); ok {
			f.Stamp = st
		}
		out = append(out, f)
	}
	return out, nil
}

// Clock returns the last stamp this device issued or saw: the newest change
// or the clock floor, whichever is higher. The next captured change is
// stamped above it.
func (e *Engine) Clock(ctx context.Context) (HLC, error) {
	if e.conn == nil {
		return 0, ErrClosed
	}
	var h HLC
	err := e.queryRow(`SELECT max((SELECT hlc FROM sync_state WHERE id = 1),
		coalesce((SELECT hlc FROM local_changes ORDER BY seq DESC LIMIT 1), 0))`, nil,
		func(s *sqlite3.Stmt) { h = HLC(s.ColumnInt64(0)) })
	if err != nil {
		return 0, fmt.Errorf("capture: read clock: %w", err)
	}
	return h, nil
}
