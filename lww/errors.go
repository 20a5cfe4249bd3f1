package lww

import (
	"errors"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
)

// Errors of Apply, to be tested with errors.Is. capture.ErrClockDrift,
// capture.ErrUnknownDevice and the changeset package's errors come through
// as well.
var (
	// ErrOwnChangeset: the changeset's origin is this device.
	ErrOwnChangeset = errors.New("changeset comes from this device itself")
	// ErrNotForThisDevice: the changeset was written for another device.
	ErrNotForThisDevice = errors.New("changeset is addressed to another device")
	// ErrWrongSender: the changeset's origin is not the device that sent
	// it (Options.From), nor one that lists it as its former id.
	ErrWrongSender = errors.New("changeset comes from another device than its sender")
	// ErrNotSynced: a record targets a table, column or row this device
	// knows and does not sync (a desktop-only table on a phone, a cache, the
	// engine's own tables, an excluded column, a device-local key).
	ErrNotSynced = errors.New("record targets data that does not sync")
	// ErrBadRecord: a record of the wrong shape (an entity id that does not
	// fit the key, a row whose key disagrees with its entity id, a field
	// record for a key column, a missing origin or stamp).
	ErrBadRecord = errors.New("malformed record")
	// ErrApplyFailed: a changeset that passed every check could not be
	// applied, which valid input never causes: an engine bug or a damaged
	// database. Apply rolled it back, so nothing is lost, and recorded the
	// failure against the changeset's origin (capture.Device.Failure)
	// until a changeset from it applies. The origin resends the same
	// changes at the next sync.
	ErrApplyFailed = errors.New("changeset passed validation but could not be applied")
)

// failure is an error met while applying input that passed validation:
// where names the record or the step.
type failure struct {
	where string
	err   error
}

func (f *failure) Error() string {
	return f.where + ": " + ErrApplyFailed.Error() + ": " + f.err.Error()
}
func (f *failure) Unwrap() []error { return []error{ErrApplyFailed, f.err} }

// failed marks err, met at where while applying input that passed
// validation, as a failure (ErrApplyFailed). Left as they are: a value the
// table refuses (ErrBadRecord) and a stamp too far ahead, which are the
// sender's; an interrupt, which is the caller's; and what the device's
// storage or load causes (a full disk, an I/O error, a lock, no memory, a
// read-only file), which passes with the condition and says so itself.
func failed(where string, err error) error {
	if err == nil || errors.Is(err, ErrBadRecord) || errors.Is(err, capture.ErrClockDrift) {
		return err
	}
	for _, code := range []sqlite3.ErrorCode{sqlite3.INTERRUPT, sqlite3.FULL, sqlite3.IOERR, sqlite3.BUSY,
		sqlite3.LOCKED, sqlite3.NOMEM, sqlite3.READONLY, sqlite3.CANTOPEN} {
		if errors.Is(err, code) {
			return err
		}
	}
	return &failure{where, err}
}
