CREATE TRIGGER "capture:prefs:insert" AFTER INSERT ON "prefs"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
  AND NEW."key" NOT IN ('window_state', 'it''s local')
BEGIN
  SELECT RAISE(ABORT, 'capture: NULL primary key in table prefs cannot be synced') WHERE NEW."key" IS NULL;
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'prefs', NEW."key"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +NEW."key");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('prefs', NEW."key", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +NEW."key") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +NEW."key"), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:prefs:update:value" AFTER UPDATE OF "value" ON "prefs"
WHEN OLD."value" IS NOT NEW."value"
  AND OLD."key" IS NEW."key"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
  AND NEW."key" NOT IN ('window_state', 'it''s local')
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'prefs', NEW."key"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +NEW."key");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('prefs', NEW."key", 'value', 2, OLD."value", NEW."value", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +NEW."key") AND "field_name" = 'value';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +NEW."key"), 'value', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:prefs:delete" AFTER DELETE ON "prefs"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
  AND OLD."key" NOT IN ('window_state', 'it''s local')
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'prefs', OLD."key"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +OLD."key");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('prefs', OLD."key", 'value', 3, OLD."value", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('prefs', OLD."key", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +OLD."key") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +OLD."key"), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:prefs:key:delete" AFTER UPDATE OF "key" ON "prefs"
WHEN (OLD."key" IS NOT NEW."key")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
  AND OLD."key" NOT IN ('window_state', 'it''s local')
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'prefs', OLD."key"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +OLD."key");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('prefs', OLD."key", 'value', 3, OLD."value", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('prefs', OLD."key", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +OLD."key") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +OLD."key"), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:prefs:key:insert" AFTER UPDATE OF "key" ON "prefs"
WHEN (OLD."key" IS NOT NEW."key")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
  AND NEW."key" NOT IN ('window_state', 'it''s local')
BEGIN
  SELECT RAISE(ABORT, 'capture: NULL primary key in table prefs cannot be synced') WHERE NEW."key" IS NULL;
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'prefs', NEW."key"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +NEW."key");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('prefs', NEW."key", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +NEW."key") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'prefs' AND "entity_id" = +NEW."key"), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

