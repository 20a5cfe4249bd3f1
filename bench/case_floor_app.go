package main

import (
	"context"
	"fmt"
)

// The floors of the app's shape and of the delete: like floor-update, each
// replaces one capture trigger, once the rows are in, by one that makes
// only the writes the engine's design needs for the operation, with
// constant stamps.

// floorAppTrigger is the least a capture trigger of notes does: the
// release's entity key made if it is missing (it never is here), the
// change appended to local_changes with its old and new values, and its
// register stamped under the entity's key (docs/capture.md, "Where the
// registers are kept").
const floorAppTrigger = `CREATE TRIGGER "floor:discovery_releases:update:notes" AFTER UPDATE OF "notes" ON "discovery_releases"
WHEN OLD."notes" IS NOT NEW."notes"
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'discovery_releases', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'discovery_releases' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('discovery_releases', NEW."id", 'notes', 2, OLD."notes", NEW."notes", 1);
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'discovery_releases' AND "entity_id" = +NEW."id"), 'notes', 1, NULL, last_insert_rowid(), 0
  ON CONFLICT DO UPDATE SET "hlc" = excluded."hlc", "origin" = NULL, "seq" = excluded."seq", "tombstone" = excluded."tombstone";
END`

// caseFloorUpdateApp is the update-app case with the notes trigger
// replaced by floorAppTrigger.
func caseFloorUpdateApp(ctx context.Context, cfg *Config) ([]Result, error) {
	spec := updateAppSpec(cfg.N, func(d *db) error {
		return replaceTrigger(d, "capture:discovery_releases:update:notes", floorAppTrigger)
	})
	r, err := pairs(cfg, "floor-update-app", cfg.N, spec.side(ctx, cfg, "floor-update-app", false), spec.side(ctx, cfg, "floor-update-app", true))
	if err != nil {
		return nil, err
	}
	r.Note = "bound of update-app: a trigger that only logs and stamps, with a constant stamp"
	return []Result{r}, nil
}

// floorDeleteTrigger is the least t's delete trigger does while undo is
// kept: one change per column with its old value, the row's change, and
// the row's tombstone register.
const floorDeleteTrigger = `CREATE TRIGGER "floor:t:delete" AFTER DELETE ON "t"
BEGIN
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc") VALUES ('t', OLD."id", 'a', 3, OLD."a", NULL, 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc") VALUES ('t', OLD."id", 'b', 3, OLD."b", NULL, 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc") VALUES ('t', OLD."id", 'c', 3, OLD."c", NULL, 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc") VALUES ('t', OLD."id", 'd', 3, OLD."d", NULL, 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc") VALUES ('t', OLD."id", 'e', 3, OLD."e", NULL, 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc") VALUES ('t', OLD."id", '', 3, NULL, NULL, 1);
  INSERT INTO "capture_registers" ("entity_type", "entity_id", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT "entity_type", "entity_id", "field_name", "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid()
  ON CONFLICT DO UPDATE SET "hlc" = excluded."hlc", "origin" = NULL, "seq" = excluded."seq", "tombstone" = excluded."tombstone";
END`

// caseFloorDelete is the delete case with t's delete trigger replaced by
// floorDeleteTrigger.
func caseFloorDelete(ctx context.Context, cfg *Config) ([]Result, error) {
	spec := deleteSpec(cfg.N, func(d *db) error { return replaceTrigger(d, "capture:t:delete", floorDeleteTrigger) })
	r, err := pairs(cfg, "floor-delete", cfg.N, spec.side(ctx, cfg, "floor-delete", false), spec.side(ctx, cfg, "floor-delete", true))
	if err != nil {
		return nil, err
	}
	r.Note = "bound of delete with undo: six log entries with old values and a tombstone, constant stamps"
	return []Result{r}, nil
}

// replaceTrigger drops the capture trigger named old of a captured
// database and creates the trigger of sql in its place; it does nothing
// to a plain database.
func replaceTrigger(d *db, old, sql string) error {
	if d.engine == nil {
		return nil
	}
	if err := d.conn.Exec(`DROP TRIGGER "` + old + `"`); err != nil {
		return fmt.Errorf("drop %s: %w", old, err)
	}
	if err := d.conn.Exec(sql); err != nil {
		return fmt.Errorf("create the floor trigger in place of %s: %w", old, err)
	}
	return nil
}
