package capture

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/triggers"
)

// ErrPending is returned by Reset with StartOver while this device holds
// changes made here that a paired device has not acknowledged: starting
// over would lose them. Sync first, or set DiscardPending.
var ErrPending = errors.New("changes made here have not been acknowledged by a paired device")

// startOver clears, in Reset's transaction, the rows of the synced tables
// (but for device-local keys) and what this device knows of sync: its log,
// its registers, parked values, identity merges. Pairings stay, and the
// clock floor rises to the newest stamp issued, so that no stamp goes
// back. Capture is off meanwhile: nothing it deletes is logged.
func (e *Engine) startOver(discard bool) error {
	var pending int64
	err := e.queryRow(`SELECT count(*) FROM local_changes WHERE origin IS NULL
		AND seq > coalesce((SELECT min(acked_seq) FROM paired_devices), 0)`, nil, func(s *sqlite3.Stmt) { pending = s.ColumnInt64(0) })
	if err != nil {
		return err
	}
	if pending > 0 && !discard {
		return fmt.Errorf("%d changes made here would be lost: sync first, or discard them: %w", pending, ErrPending)
	}
	// Foreign keys are checked at commit, once every synced table is
	// empty, whatever the order of the deletes; a device-local row that
	// references a synced one goes as its key says (a release's cached
	// stream goes with it).
	steps := []string{
		`PRAGMA defer_foreign_keys = ON`,
		`UPDATE sync_state SET hlc = max(hlc, coalesce((SELECT max(hlc) FROM local_changes), 0), coalesce((SELECT max(hlc) FROM field_timestamps), 0)),
			applying = 1, folded_seq = 0 WHERE id = 1`,
	}
	for _, t := range e.tables {
		// Device-local keys and rows outside the table's filter stay.
		q := triggers.Quote(t.Name)
		steps = append(steps, `DELETE FROM `+q+` WHERE `+triggers.Syncs(t, q))
	}
	steps = append(steps,
		`DELETE FROM local_changes`, `DELETE FROM capture_registers`, `DELETE FROM capture_keyed_registers`,
		`DELETE FROM capture_entities`, `DELETE FROM parked_values`,
		`DELETE FROM member_values`, `DELETE FROM entity_aliases`,
		`UPDATE sync_state SET applying = NULL WHERE id = 1`)
	for _, sql := range steps {
		if err := e.exec(sql); err != nil {
			return fmt.Errorf("start over: %w", err)
		}
	}
	return nil
}
