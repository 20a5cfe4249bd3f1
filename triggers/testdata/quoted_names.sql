CREATE TRIGGER "capture:my table ""x"":insert" AFTER INSERT ON "my table ""x"""
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'my table "x"', NEW."select"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('my table "x"', NEW."select", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select"), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:my table ""x"":update:a b" AFTER UPDATE OF "a b" ON "my table ""x"""
WHEN OLD."a b" IS NOT NEW."a b"
  AND OLD."select" IS NEW."select"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'my table "x"', NEW."select"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('my table "x"', NEW."select", 'a b', 2, OLD."a b", NEW."a b", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select") AND "field_name" = 'a b';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select"), 'a b', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:my table ""x"":update:it's" AFTER UPDATE OF "it's" ON "my table ""x"""
WHEN OLD."it's" IS NOT NEW."it's"
  AND OLD."select" IS NEW."select"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'my table "x"', NEW."select"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('my table "x"', NEW."select", 'it''s', 2, OLD."it's", NEW."it's", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select") AND "field_name" = 'it''s';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select"), 'it''s', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:my table ""x"":update:order" AFTER UPDATE OF "order" ON "my table ""x"""
WHEN OLD."order" IS NOT NEW."order"
  AND OLD."select" IS NEW."select"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'my table "x"', NEW."select"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('my table "x"', NEW."select", 'order', 2, OLD."order", NEW."order", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select") AND "field_name" = 'order';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select"), 'order', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:my table ""x"":delete" AFTER DELETE ON "my table ""x"""
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'my table "x"', OLD."select"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +OLD."select");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('my table "x"', OLD."select", 'a b', 3, OLD."a b", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('my table "x"', OLD."select", 'it''s', 3, OLD."it's", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('my table "x"', OLD."select", 'order', 3, OLD."order", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('my table "x"', OLD."select", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +OLD."select") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +OLD."select"), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:my table ""x"":key:delete" AFTER UPDATE OF "select" ON "my table ""x"""
WHEN (OLD."select" IS NOT NEW."select")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'my table "x"', OLD."select"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +OLD."select");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('my table "x"', OLD."select", 'a b', 3, OLD."a b", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('my table "x"', OLD."select", 'it''s', 3, OLD."it's", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('my table "x"', OLD."select", 'order', 3, OLD."order", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('my table "x"', OLD."select", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +OLD."select") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +OLD."select"), '', "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:my table ""x"":key:insert" AFTER UPDATE OF "select" ON "my table ""x"""
WHEN (OLD."select" IS NOT NEW."select")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "capture_entities" ("entity_type", "entity_id") SELECT 'my table "x"', NEW."select"
  WHERE NOT EXISTS (SELECT 1 FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select");
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('my table "x"', NEW."select", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_keyed_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "key" = (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select") AND "field_name" = '';
  INSERT INTO "capture_keyed_registers" ("key", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT (SELECT "key" FROM "capture_entities" WHERE "entity_type" = 'my table "x"' AND "entity_id" = +NEW."select"), '', "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

