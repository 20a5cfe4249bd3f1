-- Migration 11: registers kept under an integer entity key
-- (docs/capture.md, "Where the registers are kept").
--
-- A table whose key is a text id (a UUID) had its registers ordered by that
-- id: every captured edit wrote a random page of field_timestamps. Such a
-- table's registers are now kept under an integer key per entity, given in
-- the order entities are first seen, so that they lie in about the table's
-- own order. Which tables are keyed is the engine's choice
-- (schema.TableInfo.Keyed); Install moves a table's registers to where it
-- keeps them.
--
-- capture_registers: the registers of the other tables (an INTEGER PRIMARY
--   KEY's values already come in the table's order), as field_timestamps
--   held them.
-- capture_entities: the key of each entity of a keyed table.
-- capture_keyed_registers: the registers of keyed tables, by key.
-- field_timestamps: both, as a view with the columns it always had.
ALTER TABLE field_timestamps RENAME TO capture_registers;

CREATE TABLE capture_entities (
    key INTEGER PRIMARY KEY,
    entity_type TEXT NOT NULL,
    entity_id NOT NULL,
    UNIQUE (entity_type, entity_id)
);

CREATE TABLE capture_keyed_registers (
    key INTEGER NOT NULL,
    field_name TEXT NOT NULL,
    hlc INTEGER NOT NULL,
    origin TEXT,
    seq INTEGER NOT NULL,
    tombstone INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key, field_name)
) WITHOUT ROWID;

CREATE VIEW field_timestamps AS
SELECT entity_type, entity_id, field_name, hlc, origin, seq, tombstone FROM capture_registers
UNION ALL
SELECT e.entity_type, e.entity_id, r.field_name, r.hlc, r.origin, r.seq, r.tombstone
FROM capture_keyed_registers r JOIN capture_entities e ON e.key = r.key;
