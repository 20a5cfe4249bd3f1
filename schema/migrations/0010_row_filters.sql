-- Migration 10: row filters (docs/schema-strategy.md, "Row filters").

-- filter_touch: set, for the length of one statement, by the capture
-- triggers that move rows across a table's row filter through their
-- children (1: the rows touched leave it, 2: they enter it), and by Install
-- when it reconciles rows captured before a filter existed. NULL otherwise.
ALTER TABLE sync_state ADD COLUMN filter_touch INTEGER;
