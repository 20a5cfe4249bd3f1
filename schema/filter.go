package schema

import (
	"fmt"
	"slices"
)

// RowFilter limits a synced table to some of its rows: the others never
// sync, as if they were not there. A row that comes into the filter (its
// column changes) counts as inserted for the peers, and one that leaves it
// as deleted; on the device itself it stays as it is.
//
// A filter is either on a column of the table (Column holds one of
// Values), or on a parent (Parent, through the foreign-key column Via): a
// row is in while its parent row is in the parent's filter, or is not
// there (so that the delete of a parent, which cascades, is captured).
type RowFilter struct {
	Column string
	Values []string

	Parent, Via string

	// ParentKey, ParentColumn and ParentValues are the parent's key
	// column and filter, for a filter on a parent; Inspect fills them in.
	ParentKey, ParentColumn string
	ParentValues            []string
}

// filters checks each table's filter and resolves the filters on parents.
func filters(tables []TableInfo) error {
	byName := map[string]*TableInfo{}
	for i := range tables {
		byName[tables[i].Name] = &tables[i]
	}
	for i := range tables {
		t := &tables[i]
		f := t.Filter
		if f == nil {
			continue
		}
		switch {
		case f.Column != "" && f.Parent == "":
			if !t.HasColumn(f.Column) || len(f.Values) == 0 {
				return fmt.Errorf("table %q: filter on %q: %w", t.Name, f.Column, ErrUntrackable)
			}
		case f.Column == "" && f.Parent != "":
			p, ok := byName[f.Parent]
			if !ok || p.Filter == nil || p.Filter.Column == "" || len(p.Key) != 1 || !t.IsKey(f.Via) && !t.HasColumn(f.Via) {
				return fmt.Errorf("table %q: filter through %q on %q, which does not sync with a column filter: %w", t.Name, f.Via, f.Parent, ErrUntrackable)
			}
			refers := slices.ContainsFunc(t.ForeignKeys, func(fk ForeignKey) bool {
				return fk.Parent == f.Parent && len(fk.Columns) == 1 && fk.Columns[0] == f.Via
			})
			if !refers {
				return fmt.Errorf("table %q: filter through %q, which is not a foreign key to %q: %w", t.Name, f.Via, f.Parent, ErrUntrackable)
			}
			f.ParentKey, f.ParentColumn, f.ParentValues = p.Key[0].Name, p.Filter.Column, p.Filter.Values
		default:
			return fmt.Errorf("table %q: a filter has a column or a parent: %w", t.Name, ErrUntrackable)
		}
	}
	return nil
}
