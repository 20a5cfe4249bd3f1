-- Migration 5: a changeset from a paired device that passed every check but
-- could not be applied (an engine bug or a damaged database, never the
-- sender's fault) is rolled back, and the sender resends it at the next
-- sync. So that such a stuck peer is visible rather than silent, the failure
-- is recorded against the device, outside the rolled-back transaction, and
-- cleared by the next changeset from it that applies.
--   failed_at       when the last failure happened (RFC 3339, UTC)
--   failure         its error, as Apply returned it
--   failed_record   the record, or the step, it failed on
--   failures        how many applies from the device failed in a row
ALTER TABLE paired_devices ADD COLUMN failed_at TEXT;
ALTER TABLE paired_devices ADD COLUMN failure TEXT;
ALTER TABLE paired_devices ADD COLUMN failed_record TEXT;
ALTER TABLE paired_devices ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
