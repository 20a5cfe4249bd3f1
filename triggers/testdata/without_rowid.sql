CREATE TRIGGER "capture:kv:insert" AFTER INSERT ON "kv"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'kv', NEW."k"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +NEW."k");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('kv', NEW."k", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +NEW."k") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +NEW."k"), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:kv:update:v" AFTER UPDATE OF "v" ON "kv"
WHEN OLD."v" IS NOT NEW."v"
  AND OLD."k" IS NEW."k"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'kv', NEW."k"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +NEW."k");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('kv', NEW."k", 'v', 2, OLD."v", NEW."v", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +NEW."k") AND "field_name" = 'v';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +NEW."k"), 'v', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:kv:update:n" AFTER UPDATE OF "n" ON "kv"
WHEN OLD."n" IS NOT NEW."n"
  AND OLD."k" IS NEW."k"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'kv', NEW."k"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +NEW."k");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('kv', NEW."k", 'n', 2, OLD."n", NEW."n", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +NEW."k") AND "field_name" = 'n';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +NEW."k"), 'n', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:kv:delete" AFTER DELETE ON "kv"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'kv', OLD."k"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +OLD."k");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('kv', OLD."k", 'v', 3, OLD."v", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('kv', OLD."k", 'n', 3, OLD."n", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('kv', OLD."k", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +OLD."k") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +OLD."k"), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:kv:key:delete" AFTER UPDATE OF "k" ON "kv"
WHEN (OLD."k" IS NOT NEW."k")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'kv', OLD."k"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +OLD."k");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('kv', OLD."k", 'v', 3, OLD."v", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('kv', OLD."k", 'n', 3, OLD."n", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('kv', OLD."k", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +OLD."k") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +OLD."k"), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:kv:key:insert" AFTER UPDATE OF "k" ON "kv"
WHEN (OLD."k" IS NOT NEW."k")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'kv', NEW."k"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +NEW."k");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('kv', NEW."k", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +NEW."k") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'kv' AND "entity_id" = +NEW."k"), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

