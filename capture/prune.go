package capture

import (
	"context"
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// Prune deletes the changes that every paired device has acknowledged and
// returns how many it deleted. It never deletes a change some paired device
// has not acknowledged, nor the newest change, whose stamp and sequence
// number the triggers continue from. With no paired device it deletes
// nothing: the log is kept until someone has seen it.
func (e *Engine) Prune(ctx context.Context) (n int64, err error) {
	if e.conn == nil {
		return 0, ErrClosed
	}
	old := e.conn.SetInterrupt(ctx)
	defer e.conn.SetInterrupt(old)
	tx, err := e.conn.BeginImmediate()
	if err != nil {
		return 0, fmt.Errorf("capture: prune: %w", err)
	}
	defer tx.End(&err)

	var devices, upTo int64
	if err := e.queryRow(`SELECT count(*), coalesce(min(acked_seq), 0) FROM paired_devices`, nil, func(s *sqlite3.Stmt) {
		devices, upTo = s.ColumnInt64(0), s.ColumnInt64(1)
	}); err != nil {
		return 0, fmt.Errorf("capture: prune: %w", err)
	}
	if devices == 0 || upTo == 0 {
		return 0, nil
	}
	// Keep the clock above every stamp issued, whatever is deleted.
	if err := e.exec(`UPDATE sync_state SET hlc = max(hlc, coalesce((SELECT max(hlc) FROM local_changes), 0)) WHERE id = 1`); err != nil {
		return 0, fmt.Errorf("capture: prune: %w", err)
	}
	if err := e.exec(`DELETE FROM local_changes WHERE seq <= ? AND seq < (SELECT max(seq) FROM local_changes)`, upTo); err != nil {
		return 0, fmt.Errorf("capture: prune: %w", err)
	}
	n = e.conn.Changes()
	e.log.Debug().Int64("deleted", n).Int64("up_to", upTo).Msg("pruned change log")
	return n, nil
}
