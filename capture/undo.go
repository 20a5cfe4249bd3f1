package capture

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/triggers"
)

// Errors of Undo.
var (
	// ErrNoChange: no change has that sequence number (or it was pruned).
	ErrNoChange = errors.New("no such change")
	// ErrNotUndoable: the change cannot be undone on its own.
	ErrNotUndoable = errors.New("change cannot be undone")
	// ErrUndoConflict: the row has changed since, so undoing would
	// overwrite a later edit.
	ErrUndoConflict = errors.New("row changed since; undo would overwrite a later edit")
)

// Undo reverts the captured change seq by applying its inverse as a new
// edit, which is captured and synced like any other: an update sets the
// field back to its old value, an insert deletes the row, a delete inserts
// the row again with the values it had. It refuses (ErrUndoConflict) when
// the row is no longer as the change left it, and (ErrNotUndoable) changes
// received from other devices and the per-field entries of a delete (undo
// the row-level entry instead).
func (e *Engine) Undo(ctx context.Context, seq int64) (err error) {
	if e.conn == nil {
		return ErrClosed
	}
	tx, err := e.conn.BeginImmediate()
	if err != nil {
		return fmt.Errorf("capture: undo %d: %w", seq, err)
	}
	defer tx.End(&err)

	var c Change
	err = e.queryRow(`SELECT seq, entity_type, entity_id, field_name, op, old_value, new_value, hlc, coalesce(origin, '')
		FROM local_changes WHERE seq = ?`, []any{seq}, func(s *sqlite3.Stmt) { c = scanChange(s) })
	if errors.Is(err, errNoRow) {
		return fmt.Errorf("capture: undo %d: %w", seq, ErrNoChange)
	} else if err != nil {
		return fmt.Errorf("capture: undo %d: %w", seq, err)
	}
	if c.Origin != "" {
		return fmt.Errorf("capture: undo %d: received from %s, not captured here: %w", seq, c.Origin, ErrNotUndoable)
	}
	t, ok := e.Table(c.Table)
	if !ok {
		return fmt.Errorf("capture: undo %d: table %s no longer syncs: %w", seq, c.Table, ErrNotUndoable)
	}
	key, err := EntityKey(t, c.EntityID)
	if err != nil {
		return fmt.Errorf("capture: undo %d: %w", seq, err)
	}
	table, where := triggers.Quote(t.Name), keyWhere(t)
	exists := func() (bool, error) {
		found := false
		err := e.queryRow(`SELECT 1 FROM `+table+` WHERE `+where, key, func(*sqlite3.Stmt) { found = true })
		if errors.Is(err, errNoRow) {
			return false, nil
		}
		return found, err
	}
	conflict := func(why string) error {
		return fmt.Errorf("capture: undo %d (%s %s.%v): %s: %w", seq, c.Op, c.Table, c.EntityID, why, ErrUndoConflict)
	}

	switch {
	case c.Op == OpUpdate:
		col := triggers.Quote(c.Field)
		same := false
		err := e.queryRow(`SELECT `+col+` IS ? FROM `+table+` WHERE `+where, append([]any{c.New}, key...),
			func(s *sqlite3.Stmt) { same = s.ColumnBool(0) })
		if errors.Is(err, errNoRow) {
			return conflict("the row is gone")
		} else if err != nil {
			return fmt.Errorf("capture: undo %d: %w", seq, err)
		}
		if !same {
			return conflict(c.Field + " was edited since")
		}
		err = e.exec(`UPDATE `+table+` SET `+col+` = ? WHERE `+where, append([]any{c.Old}, key...)...)
		if err != nil {
			return fmt.Errorf("capture: undo %d: %w", seq, err)
		}
	case c.Op == OpInsert:
		if ok, err := exists(); err != nil {
			return fmt.Errorf("capture: undo %d: %w", seq, err)
		} else if !ok {
			return conflict("the row is already gone")
		}
		if err := e.exec(`DELETE FROM `+table+` WHERE `+where, key...); err != nil {
			return fmt.Errorf("capture: undo %d: %w", seq, err)
		}
	case c.Op == OpDelete && c.Field == "":
		if ok, err := exists(); err != nil {
			return fmt.Errorf("capture: undo %d: %w", seq, err)
		} else if ok {
			return conflict("the row exists again")
		}
		if err := e.reinsert(t.Name, c, key); err != nil {
			return fmt.Errorf("capture: undo %d: %w", seq, err)
		}
	default:
		return fmt.Errorf("capture: undo %d: the old value of one field of a deleted row; undo the row's delete: %w", seq, ErrNotUndoable)
	}
	e.log.Info().Int64("seq", seq).Str("op", c.Op.String()).Str("table", c.Table).Msg("undone")
	return nil
}

// reinsert inserts again the row whose row-level delete is c, from the old
// values its delete trigger logged just before it.
func (e *Engine) reinsert(table string, c Change, key []any) error {
	t, _ := e.Table(table)
	cols := make([]string, 0, len(t.Key)+len(t.Columns))
	vals := append([]any{}, key...)
	for _, k := range t.Key {
		cols = append(cols, triggers.Quote(k.Name))
	}
	// The delete trigger logs one entry per field, with consecutive
	// sequence numbers, right before the row-level entry.
	err := e.query(`SELECT field_name, old_value FROM local_changes
		WHERE seq < ? AND seq >= ? AND entity_type = ? AND entity_id = ? AND op = ? AND field_name != '' AND origin IS NULL
		ORDER BY seq`, []any{c.Seq, c.Seq - int64(len(t.Columns)), c.Table, c.EntityID, int(OpDelete)},
		func(s *sqlite3.Stmt) error {
			cols = append(cols, triggers.Quote(s.ColumnText(0)))
			vals = append(vals, ColumnValue(s, 1))
			return nil
		})
	if err != nil {
		return err
	}
	if len(cols) != len(t.Key)+len(t.Columns) {
		return fmt.Errorf("the row's old values are no longer in the log (pruned, or the table changed since): %w", ErrNotUndoable)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	return e.exec(`INSERT INTO `+triggers.Quote(table)+` (`+strings.Join(cols, ", ")+`) VALUES (`+marks+`)`, vals...)
}
