package lww

import "errors"

// Errors of Apply, to be tested with errors.Is. capture.ErrClockDrift,
// capture.ErrUnknownDevice and the changeset package's errors come through
// as well.
var (
	// ErrOwnChangeset: the changeset's origin is this device.
	ErrOwnChangeset = errors.New("changeset comes from this device itself")
	// ErrNotForThisDevice: the changeset was written for another device.
	ErrNotForThisDevice = errors.New("changeset is addressed to another device")
	// ErrNotSynced: a record targets a table, column or row this device
	// knows and does not sync (a desktop-only table on a phone, a cache, the
	// engine's own tables, an excluded column, a device-local key).
	ErrNotSynced = errors.New("record targets data that does not sync")
	// ErrBadRecord: a record of the wrong shape (an entity id that does not
	// fit the key, a row whose key disagrees with its entity id, a field
	// record for a key column, a missing origin or stamp).
	ErrBadRecord = errors.New("malformed record")
)
