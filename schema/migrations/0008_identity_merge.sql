-- Migration 8: identity merges (docs/merge-semantics.md, "Same thing, two
-- ids"). Two live rows of a table with the same natural key (a UNIQUE
-- constraint: discovery_releases.url, tags (category_id, name),
-- tag_categories.name) made on two devices are one entity, a class whose
-- members are the rows' ids. The smallest id survives: the table holds one
-- row under it, whose fields are the members' latest writes.

-- entity_aliases: each member of a class but the survivor, with the
-- survivor. A member keeps its own registers in field_timestamps, and the
-- register of its alias (field_name '->', synced as a record whose value
-- is the survivor). derived: 1 for a row of a table whose key holds the
-- key of a merged row (a tag assignment of a merged release), which every
-- device derives from the parents' aliases, and which does not sync.
CREATE TABLE entity_aliases (
    entity_type TEXT NOT NULL,
    entity_id NOT NULL,
    survivor NOT NULL,
    derived INTEGER,
    PRIMARY KEY (entity_type, entity_id)
) WITHOUT ROWID;
CREATE INDEX entity_aliases_survivor ON entity_aliases (entity_type, survivor);

-- member_values: the values of every member of a class (the survivor
-- included) as if it were a row of its own, with the hlc of the write each
-- comes from. The table's row is computed from them.
CREATE TABLE member_values (
    entity_type TEXT NOT NULL,
    entity_id NOT NULL,
    field_name TEXT NOT NULL,
    value,
    hlc INTEGER NOT NULL,
    PRIMARY KEY (entity_type, entity_id, field_name)
) WITHOUT ROWID;

-- folded_seq: the change log up to which the app's own writes have been
-- looked through for rows written under a merged-away id (a row the app
-- inserted under it again, a tag assignment naming it), which the next
-- Apply folds into their classes.
ALTER TABLE sync_state ADD COLUMN folded_seq INTEGER NOT NULL DEFAULT 0;
