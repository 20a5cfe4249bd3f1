package capture

import (
	"context"
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// RecordDivergence notes, for status, that a check found a table that does
// not match its sync state (what is the first violation found), in the
// caller's transaction if any. A repair that leaves the database clean
// clears it (ClearDivergence).
func (e *Engine) RecordDivergence(ctx context.Context, what string) error {
	if e.conn == nil {
		return ErrClosed
	}
	msg := e.now().UTC().Format(time.RFC3339) + ": " + what
	if err := e.exec(`UPDATE sync_state SET diverged = ? WHERE id = 1`, msg); err != nil {
		return fmt.Errorf("capture: record the divergence: %w", err)
	}
	e.log.Error().Str("violation", what).Msg("a table does not match its sync state: run capturectl verify --repair")
	return nil
}

// ClearDivergence forgets what RecordDivergence noted.
func (e *Engine) ClearDivergence(ctx context.Context) error {
	if e.conn == nil {
		return ErrClosed
	}
	if err := e.exec(`UPDATE sync_state SET diverged = NULL WHERE id = 1 AND diverged IS NOT NULL`); err != nil {
		return fmt.Errorf("capture: clear the divergence: %w", err)
	}
	return nil
}

// Diverged returns what RecordDivergence noted, or "".
func (e *Engine) Diverged(ctx context.Context) (string, error) {
	if e.conn == nil {
		return "", ErrClosed
	}
	var msg string
	err := e.queryRow(`SELECT coalesce(diverged, '') FROM sync_state WHERE id = 1`, nil, func(s *sqlite3.Stmt) { msg = s.ColumnText(0) })
	return msg, err
}
