package capture

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// What sync over the local network (package lan) keeps in the database:
// this device's TLS certificate and key, and each paired device's pinned
// certificate and last address.

// TLSIdentity returns this device's TLS certificate and private key (DER),
// or nil ones when it has none yet.
func (e *Engine) TLSIdentity(ctx context.Context) (cert, key []byte, err error) {
	if e.conn == nil {
		return nil, nil, ErrClosed
	}
	err = e.queryRow(`SELECT cert, key FROM lan_identity WHERE id = 1`, nil, func(s *sqlite3.Stmt) {
		cert, key = s.ColumnBlob(0, nil), s.ColumnBlob(1, nil)
	})
	if errors.Is(err, errNoRow) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("capture: read the TLS identity: %w", err)
	}
	return cert, key, nil
}

// SetTLSIdentity stores this device's TLS certificate and private key,
// unless it has one already: it reports whether these were stored.
func (e *Engine) SetTLSIdentity(ctx context.Context, cert, key []byte) (bool, error) {
	if e.conn == nil {
		return false, ErrClosed
	}
	if err := e.exec(`INSERT INTO lan_identity (id, cert, key) VALUES (1, ?, ?) ON CONFLICT DO NOTHING`, cert, key); err != nil {
		return false, fmt.Errorf("capture: store the TLS identity: %w", err)
	}
	return e.conn.Changes() == 1, nil
}

// PinDevice records the SHA-256 of a paired device's TLS certificate and,
// if not empty, the address it was reached at.
func (e *Engine) PinDevice(ctx context.Context, id string, certSHA256 []byte, address string) error {
	if e.conn == nil {
		return ErrClosed
	}
	err := e.exec(`UPDATE paired_devices SET cert_sha256 = ?, address = coalesce(nullif(?, ''), address) WHERE device_id = ?`,
		certSHA256, address, id)
	if err == nil && e.conn.Changes() == 0 {
		err = ErrUnknownDevice
	}
	if err != nil {
		return fmt.Errorf("capture: pin %s: %w", id, err)
	}
	return nil
}

// SeenDevice records that a paired device synced, at address if not empty.
func (e *Engine) SeenDevice(ctx context.Context, id, address string) error {
	if e.conn == nil {
		return ErrClosed
	}
	err := e.exec(`UPDATE paired_devices SET last_seen = ?, address = coalesce(nullif(?, ''), address) WHERE device_id = ?`,
		e.now().UTC().Format(time.RFC3339Nano), address, id)
	if err != nil {
		return fmt.Errorf("capture: note %s seen: %w", id, err)
	}
	return nil
}
