-- Migration 2, as shipped by the desktop app: track-level likes on
-- discovery releases. Frozen: never edit.
ALTER TABLE discovery_tracks ADD COLUMN is_liked INTEGER NOT NULL DEFAULT 0;
