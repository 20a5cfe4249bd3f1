package lww

import (
	"fmt"
	"slices"
	"strings"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/schema"
)

// validate checks a record against what this device syncs. It returns the
// table's definition, and known = false for a table this schema does not
// have yet (a newer peer's), whose changes are parked.
func (a *applier) validate(rec changeset.Record) (schema.TableInfo, bool, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf(format+": %w", append(args, ErrBadRecord)...)
	}
	if rec.Origin == "" || rec.HLC <= 0 || rec.Table == "" {
		return schema.TableInfo{}, false, bad("missing origin, stamp or table")
	}
	if ahead := capture.HLC(rec.HLC).Millis() - a.nowMillis; ahead > a.opts.MaxDrift.Milliseconds() {
		return schema.TableInfo{}, false, fmt.Errorf("stamp %s is ahead of this device's clock by more than %s: %w",
			capture.HLC(rec.HLC), a.opts.MaxDrift, capture.ErrClockDrift)
	}
	switch rec.Entity.(type) {
	case int64, float64, string, []byte:
	default:
		return schema.TableInfo{}, false, bad("entity id of type %T", rec.Entity)
	}
	t, known := a.tables[rec.Table]
	if !known {
		// SQLite's names are case-insensitive: a name that matches a table
		// this device has, in any case, is that table.
		lower := strings.ToLower(rec.Table)
		if a.present[lower] != nil || strings.HasPrefix(lower, "sqlite_") || slices.Contains(schema.EngineTables, lower) ||
			slices.Contains(schema.CacheTables, lower) || slices.Contains(schema.DesktopOnlyTables, lower) {
			return t, false, fmt.Errorf("table %s: %w", rec.Table, ErrNotSynced)
		}
		if rec.Kind == changeset.Field && rec.Field == "" {
			return t, false, bad("field record without a field")
		}
		return t, false, nil // a newer schema's table: parked
	}
	key, err := capture.EntityKey(t, rec.Entity)
	if err != nil {
		return t, true, bad("%v", err)
	}
	if len(t.LocalKeys) > 0 {
		if s, ok := key[0].(string); ok && slices.Contains(t.LocalKeys, s) {
			return t, true, fmt.Errorf("%s %q is device-local: %w", t.Name, s, ErrNotSynced)
		}
	}
	checkColumn := func(name string, null bool) error {
		c, ok := t.Column(name)
		switch {
		case name == "":
			return bad("empty column name")
		case name == schema.AliasField:
			return bad("column named %s, which names alias registers", name)
		case ok && c.NotNull && null:
			// Refused here rather than when the row is written: a value
			// parked until its row arrives must not fail a later apply.
			return bad("NULL in NOT NULL column %s.%s", t.Name, name)
		case ok:
		case a.present[strings.ToLower(t.Name)][strings.ToLower(name)]:
			return fmt.Errorf("column %s.%s: %w", t.Name, name, ErrNotSynced)
		}
		return nil // a newer schema's column: parked
	}
	switch rec.Kind {
	case changeset.Field:
		if rec.Field == schema.AliasField {
			return t, true, validAlias(t, rec, bad)
		}
		if t.IsKey(rec.Field) {
			return t, true, bad("field record for key column %s", rec.Field)
		}
		return t, true, checkColumn(rec.Field, rec.HasValue && rec.Value == nil)
	case changeset.Row:
		if !rec.Alive {
			return t, true, nil
		}
		seen := map[string]bool{}
		for _, c := range rec.Row {
			if seen[c.Name] {
				return t, true, bad("column %s twice in a row", c.Name)
			}
			seen[c.Name] = true
			if k := slices.IndexFunc(t.Key, func(k schema.Column) bool { return k.Name == c.Name }); k >= 0 {
				if !sameValue(c.Value, key[k]) {
					return t, true, bad("row's key %s = %v disagrees with its entity id", c.Name, c.Value)
				}
				continue
			}
			if err := checkColumn(c.Name, c.Value == nil); err != nil {
				return t, true, err
			}
		}
		for _, k := range t.Key {
			if !seen[k.Name] {
				return t, true, bad("row lacks its key column %s", k.Name)
			}
		}
	}
	return t, true, nil
}

// validAlias checks an alias record: in a table with a natural key, from
// the entity to a smaller id of the table (so that aliases never make a
// cycle).
func validAlias(t schema.TableInfo, rec changeset.Record, bad func(string, ...any) error) error {
	switch {
	case len(t.NaturalKeys) == 0:
		return bad("alias in %s, which has no natural key", t.Name)
	case !rec.HasValue:
		return bad("alias without its survivor")
	}
	switch rec.Value.(type) {
	case int64, float64, string, []byte:
	default:
		return bad("alias to an id of type %T", rec.Value)
	}
	if _, err := capture.EntityKey(t, rec.Value); err != nil {
		return bad("alias to %v: %v", rec.Value, err)
	}
	if capture.CompareEntityIDs(rec.Value, rec.Entity) >= 0 {
		return bad("alias of %v to %v, which is not a smaller id", rec.Entity, rec.Value)
	}
	return nil
}

// sameValue compares two SQLite values as Go holds them.
func sameValue(x, y any) bool {
	switch a := x.(type) {
	case []byte:
		b, ok := y.([]byte)
		return ok && string(a) == string(b)
	default:
		return x == y
	}
}
