package capture

import (
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// snapshot writes every register, table by table, parents first, each
// row's existence before its fields; the peer's own changes too, which a
// peer that needs a snapshot may have lost.
func (x *exporter) snapshot() error {
	var names []string
	for _, t := range x.e.tables {
		names = append(names, t.Name)
	}
	// Registers of tables this schema does not have (parked from newer
	// peers) go last.
	// The distinct table names, one index seek each (a skip scan), rather
	// than DISTINCT, which reads every register; from the tables behind
	// field_timestamps, since SQLite cannot skip-scan through the view.
	seen := map[string]bool{}
	for _, from := range []string{"capture_registers", "capture_entities"} {
		err := x.e.query(`WITH RECURSIVE names (name) AS (
				SELECT min(entity_type) FROM `+from+`
				UNION ALL
				SELECT (SELECT min(entity_type) FROM `+from+` WHERE entity_type > name) FROM names WHERE name IS NOT NULL)
			SELECT name FROM names WHERE name IS NOT NULL`, nil, func(s *sqlite3.Stmt) error {
			name := s.ColumnText(0)
			if _, ok := x.e.Table(name); !ok && !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, name := range names {
		if t, ok := x.e.Table(name); ok && len(t.Key) == 1 && !x.parkedAny && !x.membersAny && snapshotJoin {
			if err := x.snapshotTable(t); err != nil {
				return err
			}
			continue
		}
		q := `SELECT seq, entity_type, entity_id, field_name, hlc, coalesce(origin, ?), tombstone
			FROM field_timestamps WHERE entity_type = ? ORDER BY entity_id, field_name`
		err := x.e.query(q, []any{x.e.nodeID, name}, x.register)
		if err != nil {
			return err
		}
	}
	return nil
}

// snapshotJoin turns snapshotTable on; tests turn it off to compare.
var snapshotJoin = true

// snapshotTable writes the registers of a table with a one-column key
// while nothing is parked, reading each register with its row in one join
// rather than looking the row up per register (which cost a statement per
// record). What it writes is what register writes for the same rows.
func (x *exporter) snapshotTable(t schema.TableInfo) error {
	names := x.names(t)
	key := triggers.Quote(t.Key[0].Name)
	cols := make([]string, len(names))
	for i, n := range names {
		cols[i] = "r." + triggers.Quote(n)
	}
	// The records go by entity id, as the receiver's apply writes best.
	// A keyed table's are read from the tables behind field_timestamps,
	// by the entity keys' index on entity id.
	from, id := `field_timestamps ft`, "ft.entity_id"
	if t.Keyed() {
		from, id = `capture_entities e JOIN capture_keyed_registers ft ON ft.key = e.key`, "e.entity_id"
	}
	typ := strings.Replace(id, "entity_id", "entity_type", 1)
	order := id + `, ft.field_name`
	q := `SELECT ft.seq, ` + id + `, ft.field_name, ft.hlc, coalesce(ft.origin, ?1), ft.tombstone, r.` + key + ` IS NOT NULL, ` +
		strings.Join(cols, ", ") + `
		FROM ` + from + ` LEFT JOIN ` + triggers.Quote(t.Name) + ` r ON r.` + key + ` = ` + id + `
		WHERE ` + typ + ` = ?2 ORDER BY ` + order
	const first = 7 // the row's first column
	// The entity's existence register: field_name '' sorts before the
	// fields of the same entity.
	var exist struct {
		entity any
		stamp  Stamp
		set    bool
	}
	return x.e.query(q, []any{x.e.nodeID, t.Name}, func(s *sqlite3.Stmt) error {
		rec := changeset.Record{Seq: s.ColumnInt64(0), Table: t.Name, Entity: ColumnValue(s, 1),
			Field: s.ColumnText(2), HLC: s.ColumnInt64(3), Origin: s.ColumnText(4)}
		st := Stamp{HLC(rec.HLC), rec.Origin}
		if rec.Field == "" {
			exist.entity, exist.stamp, exist.set = rec.Entity, st, true
		}
		if !x.known.has(rec.Table, rec.Field) {
			return nil
		}
		found := s.ColumnBool(6)
		if rec.Field == "" {
			rec.Kind, rec.Alive = changeset.Row, !s.ColumnBool(5)
			if rec.Alive {
				if !found {
					return fmt.Errorf("%s %v: live row has no values here or parked", rec.Table, rec.Entity)
				}
				for i, n := range names {
					if i < len(t.Key) || x.known.has(t.Name, n) {
						rec.Row = append(rec.Row, changeset.Column{Name: n, Value: ColumnValue(s, first+i)})
					}
				}
			}
			x.rows++
		} else {
			rec.Kind = changeset.Field
			// As value: gone when a newer insert or delete replaced it, else
			// the row's column when the row is here.
			gone := exist.set && CompareEntityIDs(exist.entity, rec.Entity) == 0 && st.Less(exist.stamp)
			if i := columnIndex(names, rec.Field); !gone && found && i >= len(t.Key) && t.HasColumn(rec.Field) {
				rec.Value, rec.HasValue = ColumnValue(s, first+i), true
			}
			x.fields++
		}
		return x.w.Write(rec)
	})
}

func columnIndex(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}
