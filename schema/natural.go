package schema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// AliasField is the field name of an alias register: the register, in
// field_timestamps, of the fact that an entity was merged into another one
// with the same natural key (a changeset carries it as a field record whose
// value is the survivor's id). No synced table may have a column of that
// name.
const AliasField = "->"

// NaturalKey is a set of columns whose values name one thing: two live rows
// of the table with the same values in them are the same entity, made on
// two devices. The schema says so with a UNIQUE constraint or a unique
// index; a sync spec may add or remove natural keys (TableSpec).
type NaturalKey struct {
	// Index is the unique index that enforces it ("" for one the spec
	// adds without an index).
	Index string
	// Columns are its columns, in index order.
	Columns []string
	// Collations are the columns' collations, as the index compares them
	// ("BINARY" unless declared otherwise).
	Collations []string
}

// String returns the key's columns, such as "(category_id, name)".
func (k NaturalKey) String() string { return "(" + strings.Join(k.Columns, ", ") + ")" }

// naturalKeys reads the natural keys of a table from its unique indexes,
// then applies the spec's additions and removals. Skipped, because they do
// not say that two rows are one thing:
//   - the primary key (it is the entity's id already);
//   - partial indexes (WHERE ...): rows outside the predicate may share
//     values;
//   - indexes on expressions: the engine compares column values, which an
//     expression may fold (lower(name)), and cannot evaluate one alike on
//     every device;
//   - indexes with a column that does not sync (excluded in the spec):
//     devices could not compare it.
func naturalKeys(conn *sqlite3.Conn, ti TableInfo, ts TableSpec) ([]NaturalKey, error) {
	list, _, err := conn.Prepare(`SELECT name FROM pragma_index_list(?) WHERE "unique" AND origin != 'pk' AND NOT partial ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer list.Close()
	if err := list.BindText(1, ti.Name); err != nil {
		return nil, err
	}
	var names []string
	for list.Step() {
		names = append(names, list.ColumnText(0))
	}
	if err := list.Err(); err != nil {
		return nil, err
	}
	cols, _, err := conn.Prepare(`SELECT cid, name, coll FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno`)
	if err != nil {
		return nil, err
	}
	defer cols.Close()
	var out []NaturalKey
	for _, name := range names {
		if err := cols.Reset(); err != nil {
			return nil, err
		}
		if err := cols.BindText(1, name); err != nil {
			return nil, err
		}
		k, ok := NaturalKey{Index: name}, true
		for cols.Step() {
			col := cols.ColumnText(1)
			if cols.ColumnInt(0) < 0 || !ti.HasColumn(col) && !ti.IsKey(col) {
				ok = false // an expression, or a column that does not sync
			}
			k.Columns = append(k.Columns, col)
			k.Collations = append(k.Collations, strings.ToUpper(cols.ColumnText(2)))
		}
		if err := cols.Err(); err != nil {
			return nil, err
		}
		if ok && !slices.ContainsFunc(ts.IgnoreNaturalKeys, func(c []string) bool { return slices.Equal(c, k.Columns) }) {
			out = append(out, k)
		}
	}
	for _, add := range ts.NaturalKeys {
		if slices.ContainsFunc(out, func(k NaturalKey) bool { return slices.Equal(k.Columns, add) }) {
			continue
		}
		k := NaturalKey{Columns: slices.Clone(add)}
		for _, c := range add {
			if !ti.HasColumn(c) {
				return nil, fmt.Errorf("natural key %v: %q is not a tracked column of %q: %w", add, c, ti.Name, ErrUntrackable)
			}
			k.Collations = append(k.Collations, "BINARY")
		}
		out = append(out, k)
	}
	return out, nil
}
