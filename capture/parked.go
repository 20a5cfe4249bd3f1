package capture

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// ParkReason says why values wait in parked_values rather than in their
// table.
type ParkReason string

// Why values are parked. Each but ParkedDeleted and ParkedNoRow clears
// by itself once what is missing arrives; ParkedUnique clears only when
// the row that holds the value changes it, or goes.
const (
	// ParkedTable: the table is not in this database's schema yet (a peer
	// runs a newer one); the values are placed after the migration.
	ParkedTable ParkReason = "table not in this schema yet"
	// ParkedColumn: likewise for a column.
	ParkedColumn ParkReason = "column not in this schema yet"
	// ParkedNoRow: values of fields whose row has not arrived.
	ParkedNoRow ParkReason = "row not here yet"
	// ParkedDeleted: values written after the row's delete, kept for a
	// re-insert.
	ParkedDeleted ParkReason = "row deleted; values newer than the delete kept for a re-insert"
	// ParkedParent: the row refers to a parent row that is not here.
	ParkedParent ParkReason = "row waiting for its parent"
	// ParkedIncomplete: the row lacks a value for a NOT NULL column
	// without a default, which another record will bring.
	ParkedIncomplete ParkReason = "row incomplete: a required column has no value yet"
	// ParkedUnique: a unique value the row holds is held by another row
	// of the table.
	ParkedUnique ParkReason = "a constraint refuses the row: a unique value another row holds"
)

// ParkedGroup counts the values parked in one table for one reason.
type ParkedGroup struct {
	Table  string
	Reason ParkReason
	// Values counts the parked values; Entities the rows they belong to.
	Values, Entities int
}

// Parked counts the parked values by table and reason, tables in name
// order. It writes nothing.
func (e *Engine) Parked(ctx context.Context) ([]ParkedGroup, error) {
	if e.conn == nil {
		return nil, ErrClosed
	}
	type key struct {
		table  string
		reason ParkReason
	}
	groups := map[key]*ParkedGroup{}
	add := func(table string, r ParkReason, values int) {
		k := key{table, r}
		g := groups[k]
		if g == nil {
			g = &ParkedGroup{Table: table, Reason: r}
			groups[k] = g
		}
		g.Values += values
		g.Entities++
	}
	type entity struct {
		table  string
		id     any
		fields map[string]any
	}
	var list []entity
	err := e.query(`SELECT entity_type, entity_id, field_name, value FROM parked_values ORDER BY entity_type, entity_id`, nil,
		func(s *sqlite3.Stmt) error {
			table, id := s.ColumnText(0), ColumnValue(s, 1)
			if n := len(list); n == 0 || list[n-1].table != table || CompareEntityIDs(list[n-1].id, id) != 0 {
				list = append(list, entity{table, id, map[string]any{}})
			}
			list[len(list)-1].fields[s.ColumnText(2)] = ColumnValue(s, 3)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("capture: count parked values: %w", err)
	}
	for _, en := range list {
		t, ok := e.Table(en.table)
		if !ok {
			add(en.table, ParkedTable, len(en.fields))
			continue
		}
		placeable := 0
		for f := range en.fields {
			if !t.HasColumn(f) && !t.IsKey(f) {
				placeable--
			}
		}
		if placeable < 0 {
			add(en.table, ParkedColumn, -placeable)
			if -placeable == len(en.fields) {
				continue
			}
		}
		r, err := e.parkReason(ctx, t, en.id, en.fields)
		if err != nil {
			return nil, fmt.Errorf("capture: count parked values of %s: %w", en.table, err)
		}
		add(en.table, r, len(en.fields)+min(placeable, 0))
	}
	out := make([]ParkedGroup, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b ParkedGroup) int {
		return cmp.Or(cmp.Compare(a.Table, b.Table), cmp.Compare(a.Reason, b.Reason))
	})
	return out, nil
}

// parkReason says why the parked values of one entity of t (fields) are
// not in the table.
func (e *Engine) parkReason(ctx context.Context, t schema.TableInfo, id any, fields map[string]any) (ParkReason, error) {
	var set, dead bool
	err := e.query(`SELECT tombstone FROM field_timestamps WHERE entity_type = ? AND entity_id = ? AND field_name = ''`,
		[]any{t.Name, id}, func(s *sqlite3.Stmt) error {
			set, dead = true, s.ColumnBool(0)
			return nil
		})
	switch {
	case err != nil:
		return "", err
	case !set:
		return ParkedNoRow, nil
	case dead:
		return ParkedDeleted, nil
	}
	key, err := EntityKey(t, id)
	if err != nil {
		return "", err
	}
	inTable := false
	conds := make([]string, len(t.Key))
	for i, k := range t.Key {
		conds[i] = triggers.Quote(k.Name) + " = ?"
	}
	err = e.query(`SELECT 1 FROM `+triggers.Quote(t.Name)+` WHERE `+strings.Join(conds, " AND "), key, func(*sqlite3.Stmt) error {
		inTable = true
		return nil
	})
	if err != nil || inTable {
		return ParkedUnique, err
	}
	// The row is out of its table: a parent it names is missing, or a
	// required value, or a unique value is taken.
	missing := false
	err = e.query(`SELECT "table", "from", "to" FROM pragma_foreign_key_list(?) f
		WHERE (SELECT count(*) FROM pragma_foreign_key_list(?1) x WHERE x.id = f.id) = 1`, []any{t.Name}, func(s *sqlite3.Stmt) error {
		v, ok := fields[s.ColumnText(1)]
		if !ok || v == nil || missing {
			return nil
		}
		found := false
		err := e.query(`SELECT 1 FROM `+triggers.Quote(s.ColumnText(0))+` WHERE `+triggers.Quote(s.ColumnText(2))+` = ?`, []any{v},
			func(*sqlite3.Stmt) error { found = true; return nil })
		missing = !found
		return err
	})
	switch {
	case err != nil:
		return "", err
	case missing:
		return ParkedParent, nil
	}
	for _, c := range t.Columns {
		if c.Required() && fields[c.Name] == nil {
			return ParkedIncomplete, nil
		}
	}
	return ParkedUnique, nil
}

// Merged counts, by table, the entities merged into another one with the
// same natural key (their aliases; docs/merge-semantics.md). It writes
// nothing.
func (e *Engine) Merged(ctx context.Context) (map[string]int, error) {
	if e.conn == nil {
		return nil, ErrClosed
	}
	out := map[string]int{}
	err := e.query(`SELECT entity_type, count(*) FROM entity_aliases WHERE derived IS NULL GROUP BY entity_type`, nil, func(s *sqlite3.Stmt) error {
		out[s.ColumnText(0)] = s.ColumnInt(1)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("capture: count merges: %w", err)
	}
	return out, nil
}
