-- Migration 6: what tells a device's history apart from a copy or an older
-- backup of it (docs/device-lifecycle.md).

-- received_checks: points of the paired device's log as received here
-- (its changesets' up_to_seq and up_to_hlc), "seq:hlc" comma-separated,
-- oldest first, at most 16, that it has not yet confirmed. Sent back with
-- each changeset, they let it check that its log still holds what was
-- received from it.
-- confirmed_checks: the checks the paired device last sent about this
-- device's log that this device found in it, as received_checks writes
-- them; sent back so that the paired device drops them.
ALTER TABLE paired_devices ADD COLUMN received_checks TEXT;
ALTER TABLE paired_devices ADD COLUMN confirmed_checks TEXT;

-- former_node_ids: the node ids this device had before a reset, newest
-- first, comma-separated (NULL: none). Its changesets list them, so that
-- its peers move their pairing to the new id.
-- forked: set when a peer's acknowledgement showed that this database's
-- change log is not the one the peer received (the file was restored from
-- a backup, or copied): what was detected, for status; cleared by a reset.
ALTER TABLE sync_state ADD COLUMN former_node_ids TEXT;
ALTER TABLE sync_state ADD COLUMN forked TEXT;

-- retired_devices: node ids a paired device left for a new one. A
-- changeset still signed with such an id comes from a copy or an old backup
-- of that device's database, and is refused.
CREATE TABLE retired_devices (
    device_id TEXT PRIMARY KEY,
    new_id TEXT NOT NULL,
    retired_at TEXT NOT NULL
);
