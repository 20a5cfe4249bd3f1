package lww

import (
	"context"
	"fmt"

	"github.com/capture-sync/capture/capture"
)

// Replay places the parked values that can be placed now, in one
// transaction with capture suppressed: values of columns and tables a
// migration has since added (after Engine.Install has picked them up), and
// rows whose parent has arrived. Apply runs it first; call it after a
// migration so the new columns fill without waiting for the next sync.
func Replay(ctx context.Context, e *capture.Engine) (err error) {
	conn := e.Conn()
	old := conn.SetInterrupt(ctx)
	defer conn.SetInterrupt(old)
	tx, err := conn.BeginImmediate()
	if err != nil {
		return fmt.Errorf("lww: replay: %w", err)
	}
	defer tx.End(&err)
	a, err := newApplier(e, Options{})
	if err != nil {
		return fmt.Errorf("lww: replay: %w", err)
	}
	defer a.close()
	if err := a.begin(); err != nil {
		return fmt.Errorf("lww: replay: %w", err)
	}
	if err := a.replay(); err != nil {
		return fmt.Errorf("lww: replay: %w", err)
	}
	if err := a.replayClasses(); err != nil {
		return fmt.Errorf("lww: replay: %w", err)
	}
	if err := a.settle(); err != nil {
		return fmt.Errorf("lww: replay: %w", err)
	}
	return a.exec(`UPDATE sync_state SET applying = NULL WHERE id = 1`)
}
