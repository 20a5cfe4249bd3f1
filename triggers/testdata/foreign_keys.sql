CREATE TRIGGER "capture:items:insert" AFTER INSERT ON "items"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'capture: NULL primary key in table items cannot be synced') WHERE NEW."id" IS NULL;
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'items', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', NEW."id", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id"), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:items:update:folder_id" AFTER UPDATE OF "folder_id" ON "items"
WHEN OLD."folder_id" IS NOT NEW."folder_id"
  AND OLD."id" IS NEW."id"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'items', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', NEW."id", 'folder_id', 2, OLD."folder_id", NEW."folder_id", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id") AND "field_name" = 'folder_id';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id"), 'folder_id', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:items:update:owner" AFTER UPDATE OF "owner" ON "items"
WHEN OLD."owner" IS NOT NEW."owner"
  AND OLD."id" IS NEW."id"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'items', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', NEW."id", 'owner', 2, OLD."owner", NEW."owner", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id") AND "field_name" = 'owner';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id"), 'owner', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:items:update:x" AFTER UPDATE OF "x" ON "items"
WHEN OLD."x" IS NOT NEW."x"
  AND OLD."id" IS NEW."id"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'items', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', NEW."id", 'x', 2, OLD."x", NEW."x", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id") AND "field_name" = 'x';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id"), 'x', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:items:update:y" AFTER UPDATE OF "y" ON "items"
WHEN OLD."y" IS NOT NEW."y"
  AND OLD."id" IS NEW."id"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'items', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', NEW."id", 'y', 2, OLD."y", NEW."y", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id") AND "field_name" = 'y';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id"), 'y', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:items:update:far" AFTER UPDATE OF "far" ON "items"
WHEN OLD."far" IS NOT NEW."far"
  AND OLD."id" IS NEW."id"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'items', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', NEW."id", 'far', 2, OLD."far", NEW."far", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id") AND "field_name" = 'far';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id"), 'far', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:items:delete" AFTER DELETE ON "items"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'items', OLD."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +OLD."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', OLD."id", 'folder_id', 3, OLD."folder_id", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', OLD."id", 'owner', 3, OLD."owner", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', OLD."id", 'x', 3, OLD."x", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', OLD."id", 'y', 3, OLD."y", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', OLD."id", 'far', 3, OLD."far", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', OLD."id", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +OLD."id") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +OLD."id"), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:items:key:delete" AFTER UPDATE OF "id" ON "items"
WHEN (OLD."id" IS NOT NEW."id")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'items', OLD."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +OLD."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', OLD."id", 'folder_id', 3, OLD."folder_id", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', OLD."id", 'owner', 3, OLD."owner", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', OLD."id", 'x', 3, OLD."x", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', OLD."id", 'y', 3, OLD."y", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', OLD."id", 'far', 3, OLD."far", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', OLD."id", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +OLD."id") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +OLD."id"), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:items:key:insert" AFTER UPDATE OF "id" ON "items"
WHEN (OLD."id" IS NOT NEW."id")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'capture: NULL primary key in table items cannot be synced') WHERE NEW."id" IS NULL;
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'items', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('items', NEW."id", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'items' AND "entity_id" = +NEW."id"), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:folders:insert" AFTER INSERT ON "folders"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'capture: NULL primary key in table folders cannot be synced') WHERE NEW."id" IS NULL;
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'folders', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('folders', NEW."id", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +NEW."id") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +NEW."id"), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:folders:update:parent_id" AFTER UPDATE OF "parent_id" ON "folders"
WHEN OLD."parent_id" IS NOT NEW."parent_id"
  AND OLD."id" IS NEW."id"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'folders', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('folders', NEW."id", 'parent_id', 2, OLD."parent_id", NEW."parent_id", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +NEW."id") AND "field_name" = 'parent_id';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +NEW."id"), 'parent_id', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:folders:update:name" AFTER UPDATE OF "name" ON "folders"
WHEN OLD."name" IS NOT NEW."name"
  AND OLD."id" IS NEW."id"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'folders', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('folders', NEW."id", 'name', 2, OLD."name", NEW."name", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +NEW."id") AND "field_name" = 'name';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +NEW."id"), 'name', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:folders:delete" AFTER DELETE ON "folders"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'folders', OLD."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +OLD."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('folders', OLD."id", 'parent_id', 3, OLD."parent_id", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('folders', OLD."id", 'name', 3, OLD."name", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('folders', OLD."id", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +OLD."id") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +OLD."id"), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:folders:key:delete" AFTER UPDATE OF "id" ON "folders"
WHEN (OLD."id" IS NOT NEW."id")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'folders', OLD."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +OLD."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('folders', OLD."id", 'parent_id', 3, OLD."parent_id", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('folders', OLD."id", 'name', 3, OLD."name", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('folders', OLD."id", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +OLD."id") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +OLD."id"), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:folders:key:insert" AFTER UPDATE OF "id" ON "folders"
WHEN (OLD."id" IS NOT NEW."id")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'capture: NULL primary key in table folders cannot be synced') WHERE NEW."id" IS NULL;
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'folders', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('folders', NEW."id", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +NEW."id") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'folders' AND "entity_id" = +NEW."id"), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:owners:insert" AFTER INSERT ON "owners"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'capture: NULL primary key in table owners cannot be synced') WHERE NEW."id" IS NULL;
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'owners', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('owners', NEW."id", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +NEW."id") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +NEW."id"), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:owners:update:name" AFTER UPDATE OF "name" ON "owners"
WHEN OLD."name" IS NOT NEW."name"
  AND OLD."id" IS NEW."id"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'owners', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('owners', NEW."id", 'name', 2, OLD."name", NEW."name", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +NEW."id") AND "field_name" = 'name';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +NEW."id"), 'name', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:owners:delete" AFTER DELETE ON "owners"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'owners', OLD."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +OLD."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('owners', OLD."id", 'name', 3, OLD."name", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('owners', OLD."id", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +OLD."id") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +OLD."id"), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:owners:key:delete" AFTER UPDATE OF "id" ON "owners"
WHEN (OLD."id" IS NOT NEW."id")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'owners', OLD."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +OLD."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('owners', OLD."id", 'name', 3, OLD."name", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('owners', OLD."id", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +OLD."id") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +OLD."id"), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:owners:key:insert" AFTER UPDATE OF "id" ON "owners"
WHEN (OLD."id" IS NOT NEW."id")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'capture: NULL primary key in table owners cannot be synced') WHERE NEW."id" IS NULL;
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'owners', NEW."id"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +NEW."id");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('owners', NEW."id", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +NEW."id") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'owners' AND "entity_id" = +NEW."id"), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:spots:insert" AFTER INSERT ON "spots"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'capture: NULL primary key in table spots cannot be synced') WHERE NEW."x" IS NULL OR NEW."y" IS NULL;
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'spots', quote(NEW."x") || ',' || quote(NEW."y")
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'spots' AND "entity_id" = +quote(NEW."x") || ',' || quote(NEW."y"));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('spots', quote(NEW."x") || ',' || quote(NEW."y"), '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'spots' AND "entity_id" = +quote(NEW."x") || ',' || quote(NEW."y")) AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'spots' AND "entity_id" = +quote(NEW."x") || ',' || quote(NEW."y")), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:spots:delete" AFTER DELETE ON "spots"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'spots', quote(OLD."x") || ',' || quote(OLD."y")
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'spots' AND "entity_id" = +quote(OLD."x") || ',' || quote(OLD."y"));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('spots', quote(OLD."x") || ',' || quote(OLD."y"), '', 3, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'spots' AND "entity_id" = +quote(OLD."x") || ',' || quote(OLD."y")) AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'spots' AND "entity_id" = +quote(OLD."x") || ',' || quote(OLD."y")), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:spots:key:delete" AFTER UPDATE OF "x", "y" ON "spots"
WHEN (OLD."x" IS NOT NEW."x" OR OLD."y" IS NOT NEW."y")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'spots', quote(OLD."x") || ',' || quote(OLD."y")
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'spots' AND "entity_id" = +quote(OLD."x") || ',' || quote(OLD."y"));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('spots', quote(OLD."x") || ',' || quote(OLD."y"), '', 3, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'spots' AND "entity_id" = +quote(OLD."x") || ',' || quote(OLD."y")) AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'spots' AND "entity_id" = +quote(OLD."x") || ',' || quote(OLD."y")), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:spots:key:insert" AFTER UPDATE OF "x", "y" ON "spots"
WHEN (OLD."x" IS NOT NEW."x" OR OLD."y" IS NOT NEW."y")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'capture: NULL primary key in table spots cannot be synced') WHERE NEW."x" IS NULL OR NEW."y" IS NULL;
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'spots', quote(NEW."x") || ',' || quote(NEW."y")
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'spots' AND "entity_id" = +quote(NEW."x") || ',' || quote(NEW."y"));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('spots', quote(NEW."x") || ',' || quote(NEW."y"), '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'spots' AND "entity_id" = +quote(NEW."x") || ',' || quote(NEW."y")) AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'spots' AND "entity_id" = +quote(NEW."x") || ',' || quote(NEW."y")), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:items:fk0:insert" BEFORE INSERT ON "items"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: items(x, y) REFERENCES spots(x, y)') WHERE NEW."x" IS NOT NULL AND NEW."y" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "spots" WHERE "x" = NEW."x" AND "y" = NEW."y");
END;

CREATE TRIGGER "capture:items:fk0:update" BEFORE UPDATE OF "x", "y" ON "items"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: items(x, y) REFERENCES spots(x, y)') WHERE NEW."x" IS NOT NULL AND NEW."y" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "spots" WHERE "x" = NEW."x" AND "y" = NEW."y");
END;

CREATE TRIGGER "capture:items:fk0:parent:delete" AFTER DELETE ON "spots"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: items(x, y) REFERENCES spots(x, y)') WHERE EXISTS (SELECT 1 FROM "items" WHERE "x" = OLD."x" AND "y" = OLD."y");
END;

CREATE TRIGGER "capture:items:fk0:parent:key" BEFORE UPDATE OF "x", "y" ON "spots"
WHEN (OLD."x" IS NOT NEW."x" OR OLD."y" IS NOT NEW."y") AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: items(x, y) REFERENCES spots(x, y)') WHERE EXISTS (SELECT 1 FROM "items" WHERE "x" = OLD."x" AND "y" = OLD."y");
END;

CREATE TRIGGER "capture:items:fk1:insert" BEFORE INSERT ON "items"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: items(owner) REFERENCES owners(id)') WHERE NEW."owner" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "owners" WHERE "id" = NEW."owner");
END;

CREATE TRIGGER "capture:items:fk1:update" BEFORE UPDATE OF "owner" ON "items"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: items(owner) REFERENCES owners(id)') WHERE NEW."owner" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "owners" WHERE "id" = NEW."owner");
END;

CREATE TRIGGER "capture:items:fk1:parent:delete" AFTER DELETE ON "owners"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  UPDATE "items" SET "owner" = NULL WHERE "owner" = OLD."id";
END;

CREATE TRIGGER "capture:items:fk1:parent:key" BEFORE UPDATE OF "id" ON "owners"
WHEN (OLD."id" IS NOT NEW."id") AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: items(owner) REFERENCES owners(id)') WHERE EXISTS (SELECT 1 FROM "items" WHERE "owner" = OLD."id");
END;

CREATE TRIGGER "capture:items:fk2:insert" BEFORE INSERT ON "items"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: items(folder_id) REFERENCES folders(id)') WHERE NEW."folder_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "folders" WHERE "id" = NEW."folder_id");
END;

CREATE TRIGGER "capture:items:fk2:update" BEFORE UPDATE OF "folder_id" ON "items"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: items(folder_id) REFERENCES folders(id)') WHERE NEW."folder_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "folders" WHERE "id" = NEW."folder_id");
END;

CREATE TRIGGER "capture:items:fk2:parent:delete" AFTER DELETE ON "folders"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  DELETE FROM "items" WHERE "folder_id" = OLD."id";
END;

CREATE TRIGGER "capture:items:fk2:parent:key" BEFORE UPDATE OF "id" ON "folders"
WHEN (OLD."id" IS NOT NEW."id") AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: items(folder_id) REFERENCES folders(id)') WHERE EXISTS (SELECT 1 FROM "items" WHERE "folder_id" = OLD."id");
END;

CREATE TRIGGER "capture:folders:fk0:insert" BEFORE INSERT ON "folders"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: folders(parent_id) REFERENCES folders(id)') WHERE NEW."parent_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "folders" WHERE "id" = NEW."parent_id");
END;

CREATE TRIGGER "capture:folders:fk0:update" BEFORE UPDATE OF "parent_id" ON "folders"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: folders(parent_id) REFERENCES folders(id)') WHERE NEW."parent_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "folders" WHERE "id" = NEW."parent_id");
END;

CREATE TRIGGER "capture:folders:fk0:parent:delete" AFTER DELETE ON "folders"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  DELETE FROM "folders" WHERE "id" IN (WITH RECURSIVE "sub"("v") AS (SELECT "id" FROM "folders" WHERE "parent_id" = OLD."id" UNION SELECT "c"."id" FROM "folders" AS "c" JOIN "sub" ON "c"."parent_id" = "sub"."v") SELECT "v" FROM "sub");
END;

CREATE TRIGGER "capture:folders:fk0:parent:key" BEFORE UPDATE OF "id" ON "folders"
WHEN (OLD."id" IS NOT NEW."id") AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: folders(parent_id) REFERENCES folders(id)') WHERE EXISTS (SELECT 1 FROM "folders" WHERE "parent_id" = OLD."id");
END;

