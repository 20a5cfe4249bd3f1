package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// ErrUntrackable is wrapped by Inspect's error for a table the engine cannot
// track safely: one that is missing, virtual, or has no primary key.
var ErrUntrackable = errors.New("table cannot be tracked")

// TableInfo is a synced table as the live database defines it.
type TableInfo struct {
	// Name is the table's name.
	Name string
	// Key holds the primary-key columns, in key order.
	Key []Column
	// Columns holds the tracked columns, in table order.
	Columns []Column
	// WithoutRowID and Strict are the table's options.
	WithoutRowID, Strict bool
	// NullableKey is set when SQLite would accept a NULL key (a rowid table
	// whose key is not an INTEGER PRIMARY KEY and not declared NOT NULL);
	// the capture triggers then refuse NULL keys themselves.
	NullableKey bool
	// LocalKeys are key values whose rows never sync (see TableSpec).
	LocalKeys []string
	// NaturalKeys are the table's natural keys (natural.go): two live rows
	// with the same values in one of them are one entity.
	NaturalKeys []NaturalKey
	// ForeignKeys are the table's foreign keys to synced tables.
	ForeignKeys []ForeignKey
	// Filter, if set, limits the table to some rows (TableSpec.Filter).
	Filter *RowFilter
}

// Keyed reports whether the engine keeps t's registers under an integer
// key per entity (capture_entities, capture_keyed_registers) rather than
// under the entity id itself (capture_registers): for every table but one
// whose key is an INTEGER PRIMARY KEY, whose ids come in the table's own
// order already. Both are read through the field_timestamps view.
func (t TableInfo) Keyed() bool {
	return t.WithoutRowID || len(t.Key) != 1 || !strings.EqualFold(strings.TrimSpace(t.Key[0].Type), "INTEGER")
}

// HasColumn reports whether name is a tracked column of t.
func (t TableInfo) HasColumn(name string) bool {
	_, ok := t.Column(name)
	return ok
}

// IsKey reports whether name is a key column of t.
func (t TableInfo) IsKey(name string) bool {
	for _, c := range t.Key {
		if c.Name == name {
			return true
		}
	}
	return false
}

// Column is one column of a table.
type Column struct {
	Name string
	// Type is the declared type, as written.
	Type string
	// NotNull is set for a column declared NOT NULL; HasDefault for one
	// with a DEFAULT clause. A row can be inserted only with a value for
	// every NotNull column that has no default (Required).
	NotNull, HasDefault bool
}

// Required reports whether a row cannot be inserted without a value for c.
func (c Column) Required() bool { return c.NotNull && !c.HasDefault }

// Column returns the tracked column called name, and whether there is one.
func (t TableInfo) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Inspect reads the definition of every table of spec from the database and
// returns what syncs of each: key and tracked columns. It refuses, with an
// error naming the table and wrapping ErrUntrackable, a table that is missing,
// virtual, or has no primary key, and a LocalKeys list on a table whose key
// has several columns.
func Inspect(conn *sqlite3.Conn, spec Spec) ([]TableInfo, error) {
	out := make([]TableInfo, 0, len(spec.Tables))
	for _, ts := range spec.Tables {
		ti, err := inspectTable(conn, ts)
		if err != nil {
			return nil, err
		}
		out = append(out, ti)
	}
	if err := foreignKeys(conn, out); err != nil {
		return nil, err
	}
	if err := filters(out); err != nil {
		return nil, err
	}
	return out, nil
}

func inspectTable(conn *sqlite3.Conn, ts TableSpec) (TableInfo, error) {
	ti := TableInfo{Name: ts.Name, LocalKeys: slices.Clone(ts.LocalKeys)}
	if ts.Filter != nil {
		f := *ts.Filter
		f.Values = slices.Clone(f.Values)
		ti.Filter = &f
	}
	untrackable := func(reason string) error {
		return fmt.Errorf("table %q: %s: %w", ts.Name, reason, ErrUntrackable)
	}

	stmt, _, err := conn.Prepare(`SELECT type, wr, strict FROM pragma_table_list WHERE schema = 'main' AND name = ?`)
	if err != nil {
		return ti, fmt.Errorf("inspect %q: %w", ts.Name, err)
	}
	defer stmt.Close()
	if err := stmt.BindText(1, ts.Name); err != nil {
		return ti, err
	}
	if !stmt.Step() {
		if err := stmt.Err(); err != nil {
			return ti, fmt.Errorf("inspect %q: %w", ts.Name, err)
		}
		return ti, untrackable("no such table")
	}
	switch typ := stmt.ColumnText(0); typ {
	case "table":
	case "virtual":
		return ti, untrackable("virtual table")
	default:
		return ti, untrackable("not a table but a " + typ)
	}
	ti.WithoutRowID, ti.Strict = stmt.ColumnBool(1), stmt.ColumnBool(2)

	cols, _, err := conn.Prepare(`SELECT name, type, "notnull", pk, hidden, dflt_value IS NOT NULL FROM pragma_table_xinfo(?) ORDER BY cid`)
	if err != nil {
		return ti, fmt.Errorf("inspect %q: %w", ts.Name, err)
	}
	defer cols.Close()
	if err := cols.BindText(1, ts.Name); err != nil {
		return ti, err
	}
	type keyCol struct {
		pos     int
		col     Column
		notNull bool
	}
	var keys []keyCol
	for cols.Step() {
		c := Column{Name: cols.ColumnText(0), Type: cols.ColumnText(1), NotNull: cols.ColumnBool(2), HasDefault: cols.ColumnBool(5)}
		notNull, pk, hidden := c.NotNull, cols.ColumnInt(3), cols.ColumnInt(4)
		switch {
		case pk > 0:
			keys = append(keys, keyCol{pk, c, notNull})
		case hidden != 0: // generated columns follow from the others
		case c.Name == "":
			return ti, untrackable("a column with an empty name")
		case c.Name == AliasField:
			return ti, untrackable("a column named " + AliasField + ", which names alias registers")
		case !slices.Contains(ts.Exclude, c.Name):
			ti.Columns = append(ti.Columns, c)
		}
	}
	if err := cols.Err(); err != nil {
		return ti, fmt.Errorf("inspect %q: %w", ts.Name, err)
	}
	if len(keys) == 0 {
		return ti, untrackable("no primary key")
	}
	slices.SortFunc(keys, func(a, b keyCol) int { return a.pos - b.pos })
	for _, k := range keys {
		ti.Key = append(ti.Key, k.col)
		rowidAlias := len(keys) == 1 && strings.EqualFold(k.col.Type, "INTEGER") && !ti.WithoutRowID
		if !ti.WithoutRowID && !rowidAlias && !k.notNull {
			ti.NullableKey = true
		}
	}
	if len(ti.LocalKeys) > 0 && len(ti.Key) != 1 {
		return ti, untrackable("local keys need a one-column primary key")
	}
	if ti.NaturalKeys, err = naturalKeys(conn, ti, ts); err != nil {
		return ti, fmt.Errorf("inspect %q: %w", ts.Name, err)
	}
	return ti, nil
}

// Fingerprint returns a short, stable digest of what syncs: each table's
// name, key, tracked columns and local keys, in order. Two databases with
// the same fingerprint exchange exactly the same fields.
func Fingerprint(tables []TableInfo) string {
	h := sha256.New()
	for _, t := range tables {
		fmt.Fprintf(h, "%q", t.Name)
		for _, c := range t.Key {
			fmt.Fprintf(h, " k%q", c.Name)
		}
		for _, c := range t.Columns {
			fmt.Fprintf(h, " c%q", c.Name)
		}
		for _, k := range t.LocalKeys {
			fmt.Fprintf(h, " l%q", k)
		}
		if f := t.Filter; f != nil {
			fmt.Fprintf(h, " f%q%q%q%q", f.Column, f.Values, f.Parent, f.Via)
		}
		fmt.Fprintln(h)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
