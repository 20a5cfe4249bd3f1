package capture

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// Where the registers are kept (docs/capture.md): a keyed table's
// (schema.TableInfo.Keyed) under an integer key per entity, in
// capture_entities and capture_keyed_registers; another table's under the
// entity id, in capture_registers. The field_timestamps view shows both.

// placeRegisters moves the registers of each table to where it keeps
// them: those that the triggers of an older version, or an apply of a
// table this device did not sync yet, wrote under the entity id, and back
// for a table that is no longer keyed. A table whose registers are in
// place costs one lookup.
func (e *Engine) placeRegisters(tables []schema.TableInfo) error {
	for _, t := range tables {
		if t.Keyed() {
			if err := e.keyRegisters(t); err != nil {
				return fmt.Errorf("key the registers of %s: %w", t.Name, err)
			}
		} else if err := e.unkeyRegisters(t); err != nil {
			return fmt.Errorf("move the registers of %s: %w", t.Name, err)
		}
	}
	return nil
}

// keyRegisters moves t's registers from capture_registers to the keyed
// storage. Entities get their keys in the table's row order where it has
// one, so that their registers lie in about that order. A register held
// in both keeps the later write.
func (e *Engine) keyRegisters(t schema.TableInfo) error {
	found := false
	if err := e.queryRow(`SELECT EXISTS (SELECT 1 FROM capture_registers WHERE entity_type = ?)`, []any{t.Name},
		func(s *sqlite3.Stmt) { found = s.ColumnBool(0) }); err != nil || !found {
		return err
	}
	ids := `SELECT DISTINCT entity_id FROM capture_registers WHERE entity_type = ?1`
	if !t.WithoutRowID && len(t.Key) == 1 {
		q := triggers.Quote(t.Name)
		ids = `SELECT r.entity_id FROM (` + ids + `) r LEFT JOIN ` + q + ` ON ` + q + `.` + triggers.Quote(t.Key[0].Name) +
			` = r.entity_id ORDER BY ` + q + `.rowid, r.entity_id`
	}
	for _, sql := range []string{
		`INSERT INTO capture_entities (entity_type, entity_id) SELECT ?1, entity_id FROM (` + ids + `) WHERE true ON CONFLICT DO NOTHING`,
		`INSERT INTO capture_keyed_registers (key, field_name, hlc, origin, seq, tombstone)
		SELECT e.key, r.field_name, r.hlc, r.origin, r.seq, r.tombstone
		FROM capture_registers r JOIN capture_entities e ON e.entity_type = r.entity_type AND e.entity_id = r.entity_id
		WHERE r.entity_type = ?1 AND true
		ON CONFLICT DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin, seq = excluded.seq, tombstone = excluded.tombstone
		WHERE excluded.seq > capture_keyed_registers.seq`,
		`DELETE FROM capture_registers WHERE entity_type = ?1`,
	} {
		if err := e.exec(sql, t.Name); err != nil {
			return err
		}
	}
	return nil
}

// unkeyRegisters moves t's registers from the keyed storage back to
// capture_registers, with its entities' keys.
func (e *Engine) unkeyRegisters(t schema.TableInfo) error {
	found := false
	if err := e.queryRow(`SELECT EXISTS (SELECT 1 FROM capture_entities WHERE entity_type = ?)`, []any{t.Name},
		func(s *sqlite3.Stmt) { found = s.ColumnBool(0) }); err != nil || !found {
		return err
	}
	for _, sql := range []string{
		`INSERT INTO capture_registers (entity_type, entity_id, field_name, hlc, origin, seq, tombstone)
		SELECT e.entity_type, e.entity_id, r.field_name, r.hlc, r.origin, r.seq, r.tombstone
		FROM capture_entities e JOIN capture_keyed_registers r ON r.key = e.key
		WHERE e.entity_type = ?1 AND true
		ON CONFLICT DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin, seq = excluded.seq, tombstone = excluded.tombstone
		WHERE excluded.seq > capture_registers.seq`,
		`DELETE FROM capture_keyed_registers WHERE key IN (SELECT key FROM capture_entities WHERE entity_type = ?1)`,
		`DELETE FROM capture_entities WHERE entity_type = ?1`,
	} {
		if err := e.exec(sql, t.Name); err != nil {
			return err
		}
	}
	return nil
}
