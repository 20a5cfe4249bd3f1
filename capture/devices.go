package capture

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture/changeset"
)

// Device is a paired device and its sync cursors.
type Device struct {
	// ID is the device's node id.
	ID string
	// Name and Platform describe the device to people ("Anna's iPhone",
	// "ios").
	Name, Platform string
	// PairedAt and LastSeen are when it was paired and last synced (zero if
	// never).
	PairedAt, LastSeen time.Time
	// AckedSeq is the highest local sequence number the device has
	// acknowledged.
	AckedSeq int64
	// ReceivedSeq is the highest of the device's sequence numbers applied
	// here.
	ReceivedSeq int64
	// ReceivedChecks are points of the device's log as received here that
	// it has not confirmed yet, by sequence number; ConfirmedChecks are
	// the device's last checks of this device's log found here, to send
	// back (see Engine.CheckLog).
	ReceivedChecks, ConfirmedChecks []changeset.Check
	// Failure is set while changesets from the device fail to apply
	// (RecordApplyFailure); nil otherwise.
	Failure *ApplyFailure
	// CertSHA256 is the SHA-256 of its TLS certificate, pinned when it
	// paired over the network (nil otherwise); Address is where it was
	// last reached.
	CertSHA256 []byte
	Address    string
}

// Errors about paired devices.
var (
	// ErrUnknownDevice: no paired device has that id.
	ErrUnknownDevice = errors.New("device is not paired")
	// ErrSelf: the device id is this device's own node id.
	ErrSelf = errors.New("device id is this device's own")
	// ErrBadToken: the pairing token does not match.
	ErrBadToken = errors.New("pairing token does not match")
)

// Pair records d as a paired device with the pairing token the two devices
// agreed on; only the token's hash is stored. Pairing a device again
// replaces its name, platform and token and keeps its cursors. A device
// paired after changes were pruned needs a snapshot to start.
func (e *Engine) Pair(ctx context.Context, d Device, token []byte) error {
	if e.conn == nil {
		return ErrClosed
	}
	if d.ID == "" {
		return fmt.Errorf("capture: pair: empty device id")
	}
	if d.ID == e.nodeID {
		return fmt.Errorf("capture: pair %s: %w", d.ID, ErrSelf)
	}
	sum := sha256.Sum256(token)
	err := e.exec(`INSERT INTO paired_devices (device_id, name, platform, paired_at, token_hash)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (device_id) DO UPDATE SET name = excluded.name, platform = excluded.platform, token_hash = excluded.token_hash`,
		d.ID, d.Name, d.Platform, e.now().UTC().Format(time.RFC3339Nano), sum[:])
	if err != nil {
		return fmt.Errorf("capture: pair %s: %w", d.ID, err)
	}
	e.log.Info().Str("device", d.ID).Str("name", d.Name).Msg("paired")
	return nil
}

// CheckToken reports whether token is the one device id was paired with:
// nil, or an error wrapping ErrUnknownDevice or ErrBadToken.
func (e *Engine) CheckToken(ctx context.Context, id string, token []byte) error {
	if e.conn == nil {
		return ErrClosed
	}
	var stored []byte
	err := e.queryRow(`SELECT token_hash FROM paired_devices WHERE device_id = ?`, []any{id}, func(s *sqlite3.Stmt) {
		stored = s.ColumnBlob(0, nil)
	})
	if errors.Is(err, errNoRow) {
		return fmt.Errorf("capture: %s: %w", id, ErrUnknownDevice)
	} else if err != nil {
		return fmt.Errorf("capture: check token of %s: %w", id, err)
	}
	sum := sha256.Sum256(token)
	if string(stored) != string(sum[:]) {
		return fmt.Errorf("capture: %s: %w", id, ErrBadToken)
	}
	return nil
}

// Unpair forgets a paired device and its cursors. Changes it had not
// acknowledged become prunable if no other device needs them.
func (e *Engine) Unpair(ctx context.Context, id string) error {
	if e.conn == nil {
		return ErrClosed
	}
	if err := e.exec(`DELETE FROM paired_devices WHERE device_id = ?`, id); err != nil {
		return fmt.Errorf("capture: unpair %s: %w", id, err)
	}
	if e.conn.Changes() == 0 {
		return fmt.Errorf("capture: unpair %s: %w", id, ErrUnknownDevice)
	}
	e.log.Info().Str("device", id).Msg("unpaired")
	return nil
}

// Devices returns the paired devices, by id.
func (e *Engine) Devices(ctx context.Context) ([]Device, error) {
	if e.conn == nil {
		return nil, ErrClosed
	}
	var out []Device
	err := e.query(`SELECT device_id, name, platform, paired_at, coalesce(last_seen, ''), acked_seq, received_seq,
		failures, coalesce(failed_at, ''), coalesce(failure, ''), coalesce(failed_record, ''), coalesce(received_checks, ''), coalesce(confirmed_checks, ''),
		cert_sha256, coalesce(address, '')
		FROM paired_devices ORDER BY device_id`, nil, func(s *sqlite3.Stmt) error {
		d := Device{ID: s.ColumnText(0), Name: s.ColumnText(1), Platform: s.ColumnText(2),
			AckedSeq: s.ColumnInt64(5), ReceivedSeq: s.ColumnInt64(6), ReceivedChecks: parseChecks(s.ColumnText(11)), ConfirmedChecks: parseChecks(s.ColumnText(12)),
			CertSHA256: s.ColumnBlob(13, nil), Address: s.ColumnText(14)}
		d.PairedAt, _ = time.Parse(time.RFC3339Nano, s.ColumnText(3))
		d.LastSeen, _ = time.Parse(time.RFC3339Nano, s.ColumnText(4))
		if n := s.ColumnInt(7); n > 0 {
			d.Failure = &ApplyFailure{Count: n, Err: s.ColumnText(9), Record: s.ColumnText(10)}
			d.Failure.At, _ = time.Parse(time.RFC3339Nano, s.ColumnText(8))
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("capture: list devices: %w", err)
	}
	return out, nil
}

// Device returns one paired device.
func (e *Engine) Device(ctx context.Context, id string) (Device, error) {
	all, err := e.Devices(ctx)
	if err != nil {
		return Device{}, err
	}
	for _, d := range all {
		if d.ID == id {
			return d, nil
		}
	}
	return Device{}, fmt.Errorf("capture: %s: %w", id, ErrUnknownDevice)
}
