-- Migration 3: the sync engine's own tables, applied in both profiles.
-- Nothing here touches a table of migrations 1 and 2.

-- schema_checksums: the SHA-256 of every migration applied to this database,
-- so that a shipped migration edited after the fact is caught at start-up.
-- Migrations applied before this table existed are recorded when it is made.
CREATE TABLE schema_checksums (
    version INTEGER PRIMARY KEY,
    checksum TEXT NOT NULL
);

-- sync_guard: deliberately always empty. sync_state.applying references it
-- with a deferred foreign key, so a transaction that tries to commit while
-- the "applying remote changes" flag is set fails with a FOREIGN KEY error
-- (on every connection with PRAGMA foreign_keys = ON, as the app and the
-- engine use). The flag therefore exists only inside a write transaction.
CREATE TABLE sync_guard (
    id INTEGER PRIMARY KEY
);

-- sync_state: exactly one row (id = 1) describing this device.
--   node_id              this device's random 64-bit id, 16 hex digits; the
--                        tie-breaker of the (HLC, node id) order
--   profile              'desktop' or 'mobile', fixed at creation
--   last_sync_timestamp  HLC of the last completed sync, or NULL
--   paired_desktop_id    on a phone, the node id of its desktop, or NULL
--   hlc                  clock floor: no stamp issued from now on is at or
--                        below it (raised on receipt of remote stamps and
--                        before local_changes is pruned)
--   schema_version       the migration version this database is at
--   spec_fingerprint     fingerprint of what this database syncs (tables and
--                        tracked columns), set when triggers are installed
--   applying             NULL normally; 1 while remote changes are being
--                        applied, which makes the capture triggers skip
CREATE TABLE sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    node_id TEXT NOT NULL,
    profile TEXT,
    last_sync_timestamp INTEGER,
    paired_desktop_id TEXT,
    hlc INTEGER NOT NULL DEFAULT 0,
    schema_version INTEGER NOT NULL DEFAULT 0,
    spec_fingerprint TEXT,
    applying INTEGER REFERENCES sync_guard(id) DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO sync_state (id, node_id) VALUES (1, lower(hex(randomblob(8))));

-- local_changes: the change log, in commit order. The capture triggers
-- append one row per local change; applying remote changes appends one row
-- per change that won, with its origin, so this device can relay them.
--   seq          local sequence number, strictly increasing in commit order;
--                the newest row is never pruned, so seq never goes back
--   entity_type  the table name
--   entity_id    the row's key: the key value itself for a one-column key,
--                the canonical composite encoding otherwise
--                (docs/capture.md)
--   field_name   the column; '' for the row itself (insert, delete)
--   op           1 insert, 2 update, 3 delete
--   old_value    the value before (NULL for an insert)
--   new_value    the value after (NULL for a delete)
--   hlc          the change's hybrid logical clock stamp
--   origin       the node that made the change; NULL for a change captured
--                on this device (sync_state.node_id)
CREATE TABLE local_changes (
    seq INTEGER PRIMARY KEY,
    entity_type TEXT NOT NULL,
    entity_id NOT NULL,
    field_name TEXT NOT NULL,
    op INTEGER NOT NULL CHECK (op BETWEEN 1 AND 3),
    old_value,
    new_value,
    hlc INTEGER NOT NULL,
    origin TEXT
);

-- field_timestamps: the last-writer-wins registers, one row per entity field
-- that has a stamp of its own, plus one row-existence register per entity
-- (field_name '') whose tombstone flag says whether the row is deleted. A
-- field without a row of its own takes the stamp of the existence register
-- (the insert that created the row).
--   hlc, origin  the winning write's stamp and the node that made it; origin
--                is NULL when that node is this device
--   seq          the local_changes.seq of the change that set the register;
--                "what changed since N" scans local_changes from N and keeps
--                the rows that still hold their register
--   tombstone    existence registers only: 1 when the row is deleted
CREATE TABLE field_timestamps (
    entity_type TEXT NOT NULL,
    entity_id NOT NULL,
    field_name TEXT NOT NULL,
    hlc INTEGER NOT NULL,
    origin TEXT,
    seq INTEGER NOT NULL,
    tombstone INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entity_type, entity_id, field_name)
) WITHOUT ROWID;

-- paired_devices: the devices this one syncs with, with their cursors.
--   device_id       the peer's node id
--   token_hash      SHA-256 of the pairing token (the token itself is never
--                   stored)
--   acked_seq       the highest local seq the peer has acknowledged; export
--                   sends what lies above it
--   received_seq    the highest of the peer's seqs applied here, returned to
--                   the peer as its acknowledgement
--   schema_version, spec_fingerprint  what the peer last reported
CREATE TABLE paired_devices (
    device_id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    platform TEXT NOT NULL DEFAULT '',
    paired_at TEXT NOT NULL,
    last_seen TEXT,
    token_hash BLOB,
    acked_seq INTEGER NOT NULL DEFAULT 0,
    received_seq INTEGER NOT NULL DEFAULT 0,
    schema_version INTEGER,
    spec_fingerprint TEXT
);
