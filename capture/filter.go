package capture

import (
	"context"
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// ReconcileFilters brings the registers of filtered tables in line with
// their filters (schema.RowFilter), in the caller's transaction, and
// returns how many rows it recorded as leaving and as entering. A row
// outside its filter that was captured as there (before the filter
// existed, or while its triggers were missing) is recorded as deleted for
// the peers; a row in its filter that is not captured as there (a child
// made while its parent was outside, whose parent an apply brought back)
// is recorded as inserted. It touches those rows with
// sync_state.filter_touch set, and the tables' touch triggers
// (triggers.Filters) log them as the app's own edits. Install and lww's
// Apply run it; it must run with the applying flag clear.
func (e *Engine) ReconcileFilters(ctx context.Context) (left, entered int64, err error) {
	if e.conn == nil {
		return 0, 0, ErrClosed
	}
	return e.reconcileFilters(e.tables)
}

func (e *Engine) reconcileFilters(tables []schema.TableInfo) (left, entered int64, err error) {
	// Tables filtered on a column go before those filtered on a parent.
	var filtered []schema.TableInfo
	for _, parents := range []bool{false, true} {
		for _, t := range tables {
			if t.Filter != nil && (t.Filter.Parent != "") == parents {
				filtered = append(filtered, t)
			}
		}
	}
	if len(filtered) == 0 {
		return 0, 0, nil
	}
	// What the touches log goes after the newest entry now: counting
	// from there reads only the new entries, not the whole log (Apply
	// runs this).
	var from int64
	if err := e.queryRow(`SELECT coalesce(max(seq), 0) FROM local_changes`, nil, func(s *sqlite3.Stmt) { from = s.ColumnInt64(0) }); err != nil {
		return 0, 0, err
	}
	var steps []string
	for _, dir := range []struct {
		flag int
		cond string
	}{{1, "NOT (%s) AND %s"}, {2, "%s AND NOT %s"}} {
		steps = append(steps, fmt.Sprintf(`UPDATE sync_state SET filter_touch = %d WHERE id = 1`, dir.flag))
		for _, t := range filtered {
			col := t.Filter.Column
			if t.Filter.Parent != "" {
				col = t.Filter.Via
			}
			q := triggers.Quote(t.Name)
			live := fmt.Sprintf(`EXISTS (SELECT 1 FROM "field_timestamps" WHERE "entity_type" = %s AND "entity_id" = +(%s) AND "field_name" = '' AND "tombstone" = 0)`,
				triggers.Literal(t.Name), triggers.EntityID(t, q))
			steps = append(steps, fmt.Sprintf(`UPDATE %s SET %s = %s WHERE `+dir.cond, q, triggers.Quote(col), triggers.Quote(col), triggers.Syncs(t, q), live))
		}
	}
	steps = append(steps, `UPDATE sync_state SET filter_touch = NULL WHERE id = 1`)
	for _, sql := range steps {
		if err := e.exec(sql); err != nil {
			return 0, 0, fmt.Errorf("reconcile row filters: %s: %w", strings.SplitN(sql, " WHERE", 2)[0], err)
		}
	}
	err = e.queryRow(`SELECT count(*) FILTER (WHERE op = 3), count(*) FILTER (WHERE op = 1) FROM local_changes
		WHERE seq > ? AND field_name = '' AND origin IS NULL`, []any{from}, func(s *sqlite3.Stmt) {
		left, entered = s.ColumnInt64(0), s.ColumnInt64(1)
	})
	return left, entered, err
}
