CREATE TRIGGER "capture:counters:insert" AFTER INSERT ON "counters"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('counters', NEW."id", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "entity_type" = 'counters' AND "entity_id" = +NEW."id" AND "field_name" = '';
  INSERT INTO "capture_registers" ("entity_type", "entity_id", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT "entity_type", "entity_id", "field_name", "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:counters:update:n" AFTER UPDATE OF "n" ON "counters"
WHEN OLD."n" IS NOT NEW."n"
  AND OLD."id" IS NEW."id"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('counters', NEW."id", 'n', 2, OLD."n", NEW."n", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "entity_type" = 'counters' AND "entity_id" = +NEW."id" AND "field_name" = 'n';
  INSERT INTO "capture_registers" ("entity_type", "entity_id", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT "entity_type", "entity_id", "field_name", "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:counters:update:note" AFTER UPDATE OF "note" ON "counters"
WHEN OLD."note" IS NOT NEW."note"
  AND OLD."id" IS NEW."id"
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('counters', NEW."id", 'note', 2, OLD."note", NEW."note", max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "entity_type" = 'counters' AND "entity_id" = +NEW."id" AND "field_name" = 'note';
  INSERT INTO "capture_registers" ("entity_type", "entity_id", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT "entity_type", "entity_id", "field_name", "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:counters:delete" AFTER DELETE ON "counters"
WHEN (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('counters', OLD."id", 'n', 3, OLD."n", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('counters', OLD."id", 'note', 3, OLD."note", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('counters', OLD."id", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "entity_type" = 'counters' AND "entity_id" = +OLD."id" AND "field_name" = '';
  INSERT INTO "capture_registers" ("entity_type", "entity_id", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT "entity_type", "entity_id", "field_name", "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:counters:key:delete" AFTER UPDATE OF "id" ON "counters"
WHEN (OLD."id" IS NOT NEW."id")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('counters', OLD."id", 'n', 3, OLD."n", NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('counters', OLD."id", 'note', 3, OLD."note", NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('counters', OLD."id", '', 3, NULL, NULL, (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()) + 1);
  UPDATE "capture_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 1
  WHERE "entity_type" = 'counters' AND "entity_id" = +OLD."id" AND "field_name" = '';
  INSERT INTO "capture_registers" ("entity_type", "entity_id", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT "entity_type", "entity_id", "field_name", "hlc", NULL, "seq", 1 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

CREATE TRIGGER "capture:counters:key:insert" AFTER UPDATE OF "id" ON "counters"
WHEN (OLD."id" IS NOT NEW."id")
  AND (SELECT "applying" FROM "sync_state" WHERE "id" = 1) IS NULL
BEGIN
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('counters', NEW."id", '', 1, NULL, NULL, max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16, (SELECT "hlc" FROM "sync_state" WHERE "id" = 1) + 1, ifnull((SELECT "hlc" FROM "local_changes" ORDER BY "seq" DESC LIMIT 1), 0) + 1));
  UPDATE "capture_registers" SET "hlc" = (SELECT "hlc" FROM "local_changes" WHERE "seq" = last_insert_rowid()), "origin" = NULL, "seq" = last_insert_rowid(), "tombstone" = 0
  WHERE "entity_type" = 'counters' AND "entity_id" = +NEW."id" AND "field_name" = '';
  INSERT INTO "capture_registers" ("entity_type", "entity_id", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT "entity_type", "entity_id", "field_name", "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid() AND changes() = 0;
END;

