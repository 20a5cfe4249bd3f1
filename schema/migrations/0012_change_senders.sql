-- Migration 12: which device delivered each applied change.
--
-- sender: the node id of the device whose changeset brought the change
-- here (the changeset's origin), whatever the change's own origin (the
-- device that made it, a third device the sender relayed it from, or
-- "adopted" for a row a device held before capture); NULL on a change
-- captured, adopted or merged here. Export leaves out of what it sends a device every change
-- that device sent: it holds them (a newer change of the register, from
-- anywhere, is sent as usual), and they are in its log, so the checks of
-- its log (migration 6) show a restore that lost them as a fork. A
-- change of a device's own that reached this one through another device
-- is still sent back to it, as under migration 7.
--
-- It supersedes from_origin (migration 7), which is no longer written:
-- the changes it marked came from their origin, which was their sender.
ALTER TABLE local_changes ADD COLUMN sender TEXT;
UPDATE local_changes SET sender = origin WHERE from_origin = 1;
