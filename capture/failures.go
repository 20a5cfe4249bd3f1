package capture

import (
	"context"
	"fmt"
	"time"
)

// ApplyFailure is a changeset from a paired device that passed every check
// of the merge but could not be applied: an engine bug or a damaged
// database, never the sender's fault. The apply was rolled back, so nothing
// is lost, but the device's changes will not arrive until it is fixed.
type ApplyFailure struct {
	// At is when the last failure happened.
	At time.Time
	// Err is its error; Record the record, or the step, it failed on.
	Err, Record string
	// Count is how many applies from the device have failed in a row.
	Count int
}

// RecordApplyFailure records that applying a changeset from device failed
// on record (a description of the record or step) with cause, in a
// transaction of its own: the apply's was rolled back. The record stays
// until a changeset from the device applies (ClearApplyFailure), and shows
// in Device.Failure.
func (e *Engine) RecordApplyFailure(ctx context.Context, device, record string, cause error) error {
	if e.conn == nil {
		return ErrClosed
	}
	err := e.exec(`UPDATE paired_devices SET failed_at = ?, failure = ?, failed_record = ?, failures = failures + 1
		WHERE device_id = ?`, e.now().UTC().Format(time.RFC3339Nano), cause.Error(), record, device)
	if err != nil {
		return fmt.Errorf("capture: record the failed apply from %s: %w", device, err)
	}
	e.log.Error().Str("device", device).Str("record", record).Err(cause).Msg("apply failed on input that passed validation")
	return nil
}

// ClearApplyFailure forgets device's failure record; a changeset from it
// applied. It runs in the caller's transaction, if any.
func (e *Engine) ClearApplyFailure(ctx context.Context, device string) error {
	if e.conn == nil {
		return ErrClosed
	}
	err := e.exec(`UPDATE paired_devices SET failed_at = NULL, failure = NULL, failed_record = NULL, failures = 0
		WHERE device_id = ? AND failures > 0`, device)
	if err != nil {
		return fmt.Errorf("capture: clear the failed apply from %s: %w", device, err)
	}
	return nil
}
