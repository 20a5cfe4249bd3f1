-- Migration 13: an Apply checks, before it commits, the entities it
-- touched off the plain path (parked, removed, merged or recombined)
-- against the invariants of docs/merge-semantics.md ("What a table
-- holds"). A violation is a bug or a damaged database: the Apply still
-- commits (nothing it brought is lost), and records what it found here, so
-- that status shows the database as DIVERGED until a repair
-- (capturectl verify --repair) leaves it clean.
--   diverged   the first violation found, as text; NULL when none
ALTER TABLE sync_state ADD COLUMN diverged TEXT;
