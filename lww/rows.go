package lww

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// columns returns the key and tracked columns of t.
func columns(t schema.TableInfo) []string {
	out := make([]string, 0, len(t.Key)+len(t.Columns))
	for _, k := range t.Key {
		out = append(out, k.Name)
	}
	for _, c := range t.Columns {
		out = append(out, c.Name)
	}
	return out
}

func keyWhere(t schema.TableInfo) string {
	conds := make([]string, len(t.Key))
	for i, k := range t.Key {
		conds[i] = triggers.Quote(k.Name) + " = ?"
	}
	return strings.Join(conds, " AND ")
}

// currentValues returns an entity's values: its row's if it is in its table
// (t.Name is not ""), then its parked values over them.
func (a *applier) currentValues(t schema.TableInfo, table string, entity any) (map[string]any, error) {
	values := map[string]any{}
	if t.Name != "" {
		var err error
		if values, err = a.tableRow(t, entity); err != nil {
			return nil, err
		}
	}
	parked, err := a.parked(table, entity)
	for c, v := range parked {
		values[c] = v
	}
	return values, err
}

// tableRow returns the key and tracked columns of an entity's row, empty
// when the row is not in its table.
func (a *applier) tableRow(t schema.TableInfo, entity any) (map[string]any, error) {
	values := map[string]any{}
	key, err := capture.EntityKey(t, entity)
	if err != nil {
		return nil, err
	}
	cols := columns(t)
	err = a.query(a.selectRowSQL(t), key, func(s *sqlite3.Stmt) error {
		for i, c := range cols {
			values[c] = capture.ColumnValue(s, i)
		}
		return nil
	})
	return values, err
}

// writeField writes a value to its row, reporting false when the row is not
// in its table.
func (a *applier) writeField(t schema.TableInfo, entity any, field string, value any) (bool, error) {
	a.filterTouched = a.filterTouched || t.Filter != nil
	key, err := capture.EntityKey(t, entity)
	if err != nil {
		return false, err
	}
	s, err := a.updateFieldStmt(t, field)
	if err != nil {
		return false, err
	}
	if err := capture.BindValue(s, 1, value); err != nil {
		return false, err
	}
	for i, v := range key {
		if err := capture.BindValue(s, i+2, v); err != nil {
			return false, err
		}
	}
	if err := s.Exec(); err != nil {
		if _, err := constraintFailed(err); err != nil {
			return false, err
		}
		return false, nil // a unique value another row holds: parked
	}
	return a.conn.Changes() == 1, nil
}

// placeRow writes a live row's values to its table (insert or update), or
// parks them when a parent row is missing or a uniqueness constraint
// refuses the row. It reports whether the row was
// placed; a placed row's parked values are dropped and its parked children
// placed in turn.
func (a *applier) placeRow(t schema.TableInfo, entity any, values map[string]any, absent bool) (bool, error) {
	if a.aliasesAny {
		// A row whose key names a merged-away row belongs to a class now
		// (classes.go).
		c, err := a.classOf(t, entity)
		if err != nil {
			return false, err
		}
		if c != nil {
			if err := a.storeMember(t, entity, values); err != nil {
				return false, err
			}
			return true, a.recombine(c, 0)
		}
		if err := a.resolveValues(t, values); err != nil {
			return false, err
		}
	}
	ok, err := a.parentsPresent(t, values)
	if err != nil {
		return false, err
	}
	if ok {
		ok, err = a.upsert(t, entity, values, absent)
		if err != nil {
			return false, err
		}
		if ok {
			a.placedParent(t.Name, values)
		} else if err := a.noteCollision(t, entity, values); err != nil {
			return false, err
		}
	}
	if !ok {
		// An older version of the row may be in the table: it goes.
		if err := a.evict(t, entity); err != nil {
			return false, err
		}
		return false, a.parkRow(t.Name, entity, values)
	}
	// The row's values are in its table now, but for columns this schema
	// lacks, which stay parked.
	if a.parkedAny {
		if err := a.exec(`DELETE FROM parked_values WHERE entity_type = ? AND entity_id = ?`, t.Name, entity); err != nil {
			return false, err
		}
	}
	extra := map[string]any{}
	for c, v := range values {
		if !t.HasColumn(c) && !t.IsKey(c) {
			extra[c] = v
		}
	}
	if len(extra) > 0 {
		if err := a.parkRow(t.Name, entity, extra); err != nil {
			return false, err
		}
	}
	return true, a.placeChildren(t, values)
}

// mergeOnWrite notes a collision when a field write was refused because
// another row holds the natural key it gives entity (noteCollision).
func (a *applier) mergeOnWrite(t schema.TableInfo, entity any, field string, value any) (bool, error) {
	if len(t.NaturalKeys) == 0 {
		return false, nil
	}
	values, err := a.tableRow(t, entity)
	if err != nil || len(values) == 0 {
		return false, err
	}
	values[field] = value
	return false, a.noteCollision(t, entity, values)
}

// evict takes a row that can no longer stay out of its table, parking the
// rows that reference it (they would go by cascade).
func (a *applier) evict(t schema.TableInfo, entity any) error {
	values, err := a.currentValues(t, t.Name, entity)
	if err != nil || len(values) == 0 {
		return err
	}
	return a.remove(t, entity, values)
}

// remove deletes a row from its table after parking the rows that reference
// it (values are the row's).
func (a *applier) remove(t schema.TableInfo, entity any, values map[string]any) error {
	a.forgetParents()
	a.touch(t.Name, entity)
	if err := a.parkChildren(t, values); err != nil {
		return err
	}
	key, err := capture.EntityKey(t, entity)
	if err != nil {
		return err
	}
	return a.exec(a.deleteRowSQL(t), key...)
}

// upsert inserts the row, or updates it if it is there, in one statement.
// A constraint that refuses the row (a unique column taken by another row)
// reports false.
//
// absent says the row is most likely not in its table (its existence
// register is missing or dead). Then, while triggers are off
// (applier.insertFirst), the row is inserted first with ON CONFLICT DO
// NOTHING, and upserted only if it was there after all: an
// upsert whose update part writes a column with a foreign key or a unique
// constraint keeps a statement journal for every row, which a plain insert
// does not.
func (a *applier) upsert(t schema.TableInfo, entity any, values map[string]any, absent bool) (bool, error) {
	a.filterTouched = a.filterTouched || t.Filter != nil
	key, err := capture.EntityKey(t, entity)
	if err != nil {
		return false, err
	}
	names := make([]string, 0, len(t.Key)+len(t.Columns))
	args := make([]any, 0, cap(names))
	mask := make([]byte, len(t.Columns))
	for i, k := range t.Key {
		names = append(names, k.Name)
		args = append(args, key[i])
	}
	for i, c := range t.Columns {
		mask[i] = '0'
		if v, ok := values[c.Name]; ok {
			names = append(names, c.Name)
			args = append(args, v)
			mask[i] = '1'
		}
	}
	if !whole(t, values) {
		// Too few values for a new row (a NOT NULL column without a
		// default is missing): they can only go over the row in its
		// table, and wait, parked, while it is not there.
		return a.update(t, names, string(mask), args)
	}
	if absent && a.insertFirst {
		err = a.execRow(a.insertSQL(t, names, string(mask)), args...)
		if err != nil {
			return constraintFailed(err)
		}
		if a.conn.Changes() > 0 || len(names) == len(t.Key) { // nothing to update
			return true, nil
		}
	}
	err = a.execRow(a.upsertSQL(t, names, string(mask)), args...)
	if err != nil {
		return constraintFailed(err)
	}
	return true, nil
}

// whole reports whether values make a row that can be inserted: every
// column that is NOT NULL without a default has a value.
func whole(t schema.TableInfo, values map[string]any) bool {
	for _, c := range t.Columns {
		if c.Required() && values[c.Name] == nil {
			return false
		}
	}
	return true
}

// update writes the columns given over the row in its table, reporting
// false when the row is not there (or a constraint refuses the values, as
// upsert). names, mask and args are as upsert builds them.
func (a *applier) update(t schema.TableInfo, names []string, mask string, args []any) (bool, error) {
	if len(names) == len(t.Key) {
		found := false
		err := a.query(a.existsSQL(t), args, func(*sqlite3.Stmt) error { found = true; return nil })
		return found, err
	}
	// The statement sets the columns first, then matches the key.
	ordered := make([]any, 0, len(args))
	ordered = append(append(ordered, args[len(t.Key):]...), args[:len(t.Key)]...)
	if err := a.execRow(a.updateSQL(t, names, mask), ordered...); err != nil {
		return constraintFailed(err)
	}
	return a.conn.Changes() == 1, nil
}

// constraintFailed turns a uniqueness conflict (another row holds a unique
// value; concurrent devices can cause that) into "not placed". A value of
// the wrong shape for its column (NULL where NOT NULL, a CHECK, a STRICT
// type) is bad input: ErrBadRecord.
func constraintFailed(err error) (bool, error) {
	var e *sqlite3.Error
	if errors.As(err, &e) {
		switch e.ExtendedCode() {
		case sqlite3.CONSTRAINT_UNIQUE, sqlite3.CONSTRAINT_PRIMARYKEY:
			return false, nil
		case sqlite3.CONSTRAINT_NOTNULL, sqlite3.CONSTRAINT_CHECK, sqlite3.CONSTRAINT_DATATYPE:
			return false, fmt.Errorf("%v: %w", err, ErrBadRecord)
		}
	}
	return false, err
}

// deleteRow deletes a row whose delete won. Fields written after the delete
// are parked for a later re-insert, and so are the rows that reference it
// and would go with it by cascade: their own existence registers still say
// they are alive, so they come back if the row does.
func (a *applier) deleteRow(t schema.TableInfo, entity any) error {
	values, err := a.currentValues(t, t.Name, entity)
	if err != nil || len(values) == 0 {
		return err
	}
	// A row outside its table's filter here is not synced here (a
	// playlist moved to the library on this device): the delete takes its
	// register, and leaves the row alone.
	if t.Filter != nil {
		if in, err := a.inFilter(t, entity); err != nil || !in {
			return err
		}
	}
	// parkRow keeps only the fields newer than the delete.
	if err := a.parkRow(t.Name, entity, values); err != nil {
		return err
	}
	return a.remove(t, entity, values)
}

// maxRowStatements bounds the row-writing statements kept prepared. They
// are made per set of columns a row record carries, which the sender
// chooses: up to 2^n for a table of n nullable columns. (A variable so
// that tests can make it small.)
var maxRowStatements = 256

// execRow runs a row-writing statement (insertSQL, upsertSQL). They are
// kept apart from the other statements: once there are maxRowStatements of
// them, all are closed before another is prepared. That is safe because
// such a statement is never in use from one call to the next.
func (a *applier) execRow(sql string, args ...any) error {
	s, ok := a.rowStmts[sql]
	if ok {
		if err := s.Reset(); err != nil {
			return err
		}
	} else {
		if len(a.rowStmts) >= maxRowStatements {
			for _, s := range a.rowStmts {
				s.Close()
			}
			clear(a.rowStmts)
		}
		var err error
		if s, _, err = a.conn.Prepare(sql); err != nil {
			return err
		}
		a.rowStmts[sql] = s
	}
	if err := bind(s, args); err != nil {
		return err
	}
	return s.Exec()
}

// inFilter reports whether the row entity of t is in t's row filter here.
func (a *applier) inFilter(t schema.TableInfo, entity any) (bool, error) {
	key, err := capture.EntityKey(t, entity)
	if err != nil {
		return false, err
	}
	sql := a.sqlText(sqlKey{kind: "filter", table: t.Name}, func() string {
		return `SELECT ` + triggers.Syncs(t, `"r"`) + ` FROM ` + triggers.Quote(t.Name) + ` AS "r" WHERE ` + keyWhere(t)
	})
	in := false
	err = a.query(sql, key, func(s *sqlite3.Stmt) error { in = s.ColumnBool(0); return nil })
	return in, err
}
