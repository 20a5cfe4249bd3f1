-- Migration 4: what merging remote changes needs, in both profiles.

-- parked_values: the value of a register that won but cannot be written to
-- its table yet: the row is deleted here and the value is newer than the
-- delete, the row's parent row is missing (a foreign key would fail), or the
-- table or column does not exist in this schema yet (a peer on a newer
-- schema). Merging writes parked values to their table as soon as it can.
-- field_name is the column; a parked row has one entry per column. hlc and
-- origin (NULL: this device) are the stamp of the write the value comes
-- from: a parked value counts only while that is still the field's
-- effective stamp, so a later insert, edit or delete makes it stale.
CREATE TABLE parked_values (
    entity_type TEXT NOT NULL,
    entity_id NOT NULL,
    field_name TEXT NOT NULL,
    value,
    hlc INTEGER NOT NULL,
    origin TEXT,
    PRIMARY KEY (entity_type, entity_id, field_name)
) WITHOUT ROWID;

-- What each paired device knows of the schema, so that it is sent only
-- what it can store, and the rest once it catches up. All JSON lists of
-- {"Name", "Key", "Columns"}; NULL means "everything".
--   known_tables    the synced tables and columns it last reported
--   sent_tables     those it holds every register of, up to its cursor
--   pending_tables  what the newest export to it covered (known_tables at
--                   the time, with the registers it had missed), which
--                   becomes sent_tables once it acknowledges pending_seq
ALTER TABLE paired_devices ADD COLUMN known_tables TEXT;
ALTER TABLE paired_devices ADD COLUMN sent_tables TEXT;
ALTER TABLE paired_devices ADD COLUMN pending_tables TEXT;
ALTER TABLE paired_devices ADD COLUMN pending_seq INTEGER;
