package triggers

import (
	"fmt"
	"strings"

	"github.com/capture-sync/capture/schema"
)

// Row filters (schema.RowFilter): the capture triggers capture a row only
// while it is in its table's filter; the triggers below record a row that
// crosses the filter as deleted (leaving) or inserted (entering), for its
// peers, and keep it as it is here.
//
// A row crosses its table's filter when its own column changes (the leave
// and enter triggers), or, for a filter on a parent, when its parent
// crosses the parent's: the parent's trigger then "touches" the children
// (UPDATE child SET via = via) with sync_state.filter_touch set to 1
// (leave) or 2 (enter), and the children's touch triggers record them.
// Install touches the rows captured before a filter existed the same way.

// Syncs returns the SQL condition that the row ref (NEW, OLD, or a table
// alias) of t syncs: its key is not device-local, and it is in t's filter;
// "1" when every row does.
func Syncs(t schema.TableInfo, ref string) string {
	var conds []string
	if len(t.LocalKeys) > 0 {
		lits := make([]string, len(t.LocalKeys))
		for i, k := range t.LocalKeys {
			lits[i] = Literal(k)
		}
		conds = append(conds, ref+"."+Quote(t.Key[0].Name)+" NOT IN ("+strings.Join(lits, ", ")+")")
	}
	if t.Filter != nil {
		conds = append(conds, inFilter(t, ref))
	}
	if len(conds) == 0 {
		return "1"
	}
	return strings.Join(conds, " AND ")
}

// inFilter is the condition (0 or 1, never NULL) that the row ref is in
// t's filter.
func inFilter(t schema.TableInfo, ref string) string {
	f := t.Filter
	if f.Parent == "" {
		return valueIn(ref+"."+Quote(f.Column), f.Values)
	}
	return fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s AS \"fp\" WHERE \"fp\".%s = %s.%s AND NOT %s)",
		Quote(f.Parent), Quote(f.ParentKey), ref, Quote(f.Via), valueIn(`"fp".`+Quote(f.ParentColumn), f.ParentValues))
}

func valueIn(expr string, values []string) string {
	lits := make([]string, len(values))
	for i, v := range values {
		lits[i] = Literal(v)
	}
	return "coalesce(" + expr + " IN (" + strings.Join(lits, ", ") + "), 0)"
}

// filterColumn is the column whose change can move a row of t across its
// filter.
func filterColumn(t schema.TableInfo) string {
	if t.Filter.Parent != "" {
		return t.Filter.Via
	}
	return t.Filter.Column
}

// registerLive is the condition that the row ref has a live existence
// register: it was captured as there.
func registerLive(t schema.TableInfo, ref string) string {
	return fmt.Sprintf(`EXISTS (SELECT 1 FROM "field_timestamps" WHERE "entity_type" = %s AND "entity_id" = +%s AND "field_name" = '' AND "tombstone" = 0)`,
		Literal(t.Name), EntityID(t, ref))
}

// Filters returns the row-filter triggers of t: leave and enter, the two
// touch triggers, the leave of a row inserted outside the filter, and, on
// t, one per child table whose filter is on t (children lists every synced
// table).
func Filters(t schema.TableInfo, children []schema.TableInfo) []Trigger {
	var out []Trigger
	g := gen{t: t}
	if t.Filter != nil {
		col := Quote(filterColumn(t))
		update := fmt.Sprintf("AFTER UPDATE OF %s ON %s", col, Quote(t.Name))
		insert := fmt.Sprintf("AFTER INSERT ON %s", Quote(t.Name))
		local := Syncs(schema.TableInfo{Key: t.Key, LocalKeys: t.LocalKeys}, "NEW")
		same := strings.Join(g.keySame(), " AND ")
		trig := func(n, on, when, body string) Trigger {
			return Trigger{Name: n, SQL: fmt.Sprintf("CREATE TRIGGER %s %s\nWHEN %s\n  AND %s\n  AND %s\nBEGIN\n%sEND", Quote(n), on, when, local, notApplying, body)}
		}
		touch := `(SELECT "filter_touch" FROM "sync_state" WHERE "id" = 1)`
		out = append(out,
			trig(name(t.Name, "filter", "leave"), update, fmt.Sprintf("%s AND %s AND NOT %s", same, inFilter(t, "OLD"), inFilter(t, "NEW")), g.deleteBody("OLD")),
			trig(name(t.Name, "filter", "enter"), update, fmt.Sprintf("%s AND NOT %s AND %s", same, inFilter(t, "OLD"), inFilter(t, "NEW")), g.insertBody("NEW")),
			trig(name(t.Name, "filter", "touch", "leave"), update, fmt.Sprintf("OLD.%s IS NEW.%s AND %s = 1 AND %s", col, col, touch, registerLive(t, "OLD")), g.deleteBody("OLD")),
			trig(name(t.Name, "filter", "touch", "enter"), update, fmt.Sprintf("OLD.%s IS NEW.%s AND %s = 2 AND %s AND NOT %s", col, col, touch, inFilter(t, "NEW"), registerLive(t, "NEW")), g.insertBody("NEW")),
			// A row inserted outside the filter under the key of an
			// entity live for the peers (a child of a parent that left
			// the filter while the child was not here) takes it from
			// them: no row outside its filter is a live entity.
			trig(name(t.Name, "filter", "insert", "leave"), insert, fmt.Sprintf("NOT %s AND %s", inFilter(t, "NEW"), registerLive(t, "NEW")), g.deleteBody("NEW")),
		)
	}
	for _, c := range children {
		f := c.Filter
		if f == nil || f.Parent != t.Name || t.Filter == nil || t.Filter.Parent != "" {
			continue
		}
		n := name(c.Name, "filter", "parent")
		key := Quote(t.Key[0].Name)
		via := Quote(f.Via)
		out = append(out, Trigger{Name: n, SQL: fmt.Sprintf(`CREATE TRIGGER %[1]s AFTER UPDATE OF %[2]s ON %[3]s
WHEN OLD.%[4]s IS NEW.%[4]s
  AND %[5]s IS NOT %[6]s
  AND %[7]s
BEGIN
  UPDATE "sync_state" SET "filter_touch" = CASE WHEN %[6]s THEN 2 ELSE 1 END WHERE "id" = 1;
  UPDATE %[8]s SET %[9]s = %[9]s WHERE %[9]s = OLD.%[4]s;
  UPDATE "sync_state" SET "filter_touch" = NULL WHERE "id" = 1;
END`, Quote(n), Quote(t.Filter.Column), Quote(t.Name), key, inFilter(t, "OLD"), inFilter(t, "NEW"), notApplying, Quote(c.Name), via)})
	}
	return out
}
