CREATE TRIGGER "capture:pairs:insert" AFTER INSERT ON "pairs"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'pairs', quote(NEW."left_id") || ',' || quote(NEW."right_id")
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(NEW."left_id") || ',' || quote(NEW."right_id"));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('pairs', quote(NEW."left_id") || ',' || quote(NEW."right_id"), '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(NEW."left_id") || ',' || quote(NEW."right_id")) AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(NEW."left_id") || ',' || quote(NEW."right_id")), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:pairs:update:weight" AFTER UPDATE OF "weight" ON "pairs"
WHEN OLD."weight" IS NOT NEW."weight"
  AND OLD."left_id" IS NEW."left_id"
  AND OLD."right_id" IS NEW."right_id"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'pairs', quote(NEW."left_id") || ',' || quote(NEW."right_id")
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(NEW."left_id") || ',' || quote(NEW."right_id"));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('pairs', quote(NEW."left_id") || ',' || quote(NEW."right_id"), 'weight', 2, OLD."weight", NEW."weight", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(NEW."left_id") || ',' || quote(NEW."right_id")) AND "field_name" = 'weight';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(NEW."left_id") || ',' || quote(NEW."right_id")), 'weight', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:pairs:delete" AFTER DELETE ON "pairs"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'pairs', quote(OLD."left_id") || ',' || quote(OLD."right_id")
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(OLD."left_id") || ',' || quote(OLD."right_id"));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('pairs', quote(OLD."left_id") || ',' || quote(OLD."right_id"), 'weight', 3, OLD."weight", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('pairs', quote(OLD."left_id") || ',' || quote(OLD."right_id"), '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(OLD."left_id") || ',' || quote(OLD."right_id")) AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(OLD."left_id") || ',' || quote(OLD."right_id")), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:pairs:key:delete" AFTER UPDATE OF "left_id", "right_id" ON "pairs"
WHEN (OLD."left_id" IS NOT NEW."left_id" OR OLD."right_id" IS NOT NEW."right_id")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'pairs', quote(OLD."left_id") || ',' || quote(OLD."right_id")
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(OLD."left_id") || ',' || quote(OLD."right_id"));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('pairs', quote(OLD."left_id") || ',' || quote(OLD."right_id"), 'weight', 3, OLD."weight", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('pairs', quote(OLD."left_id") || ',' || quote(OLD."right_id"), '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(OLD."left_id") || ',' || quote(OLD."right_id")) AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(OLD."left_id") || ',' || quote(OLD."right_id")), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:pairs:key:insert" AFTER UPDATE OF "left_id", "right_id" ON "pairs"
WHEN (OLD."left_id" IS NOT NEW."left_id" OR OLD."right_id" IS NOT NEW."right_id")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'pairs', quote(NEW."left_id") || ',' || quote(NEW."right_id")
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(NEW."left_id") || ',' || quote(NEW."right_id"));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('pairs', quote(NEW."left_id") || ',' || quote(NEW."right_id"), '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(NEW."left_id") || ',' || quote(NEW."right_id")) AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'pairs' AND "entity_id" = +quote(NEW."left_id") || ',' || quote(NEW."right_id")), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

