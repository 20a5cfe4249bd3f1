package lww

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// lastLocalStamp returns the stamp of the newest captured change.
func lastLocalStamp(t testing.TB, d *device) capture.HLC {
	t.Helper()
	return capture.HLC(sqlitetest.Int(t, d.e.Conn(), `SELECT hlc FROM local_changes WHERE origin IS NULL ORDER BY seq DESC LIMIT 1`))
}

// maxIssued returns the highest stamp this device logged or holds in a
// register.
func maxIssued(t testing.TB, d *device) capture.HLC {
	t.Helper()
	return capture.HLC(sqlitetest.Int(t, d.e.Conn(), `SELECT max(coalesce((SELECT max(hlc) FROM local_changes), 0),
		coalesce((SELECT max(hlc) FROM field_timestamps), 0))`))
}

func checkClockAbove(t testing.TB, d *device, what string) {
	t.Helper()
	c, err := d.e.Clock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if m := maxIssued(t, d); c < m {
		t.Errorf("%s: Engine.Clock %s is below a stamp already issued or received (%s)", what, c, m)
	}
}

// TestReliabilityClockSetBack: the triggers read SQLite's clock, which a
// test cannot move, so a wall clock set back is simulated by a clock floor
// (sync_state.hlc) far above now, which is exactly the state of a device
// whose clock went back after it issued or received those stamps. Stamps
// stay strictly increasing in seq order through edits, a reopen, and a
// merge.
func TestReliabilityClockSetBack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "phone.db")
	e, err := capture.Open(ctx, path, capture.Options{Profile: schema.Mobile})
	if err != nil {
		t.Fatal(err)
	}
	phone := &device{name: "phone", e: e}
	desk := newDevice(t, "desktop", schema.Desktop)
	pairAll(t, phone, desk)
	desk.exec(t, seedRelease)
	phone.apply(t, desk.export(t, phone, true))

	// The wall clock an hour behind what this device has seen.
	floor := capture.HLCAt(time.Now().Add(time.Hour))
	phone.exec(t, fmt.Sprintf(`UPDATE sync_state SET hlc = %d`, floor))
	for i := 0; i < 3; i++ {
		phone.exec(t, fmt.Sprintf(`UPDATE discovery_releases SET notes = 'back %d'`, i))
	}
	if got := lastLocalStamp(t, phone); got != floor+3 {
		t.Errorf("with the wall clock behind, the third edit is stamped %s, want %s", got, floor+3)
	}
	checkClockAbove(t, phone, "after edits with the clock set back")

	// Reopen: the clock continues above every stamp.
	phone.e.Close()
	if phone.e, err = capture.Open(ctx, path, capture.Options{Profile: schema.Mobile}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { phone.e.Close() })
	checkClockAbove(t, phone, "after reopen")
	phone.exec(t, `UPDATE discovery_releases SET notes = 'after reopen'`)
	if got := lastLocalStamp(t, phone); got != floor+4 {
		t.Errorf("after reopen the edit is stamped %s, want %s", got, floor+4)
	}
	// The wall clock jumps forward again: stamps follow it.
	if regs := localStampRegressions(t, phone.e.Conn()); len(regs) != 0 {
		t.Fatalf("stamps went back: %+v", regs)
	}
	// The same after merging a change stamped by a peer whose clock is
	// right (so, an hour behind this device's floor): see
	// TestReliabilityClockAfterMergingOlderStamps.
}

// TestReliabilityClockAfterMergingOlderStamps: a device whose clock floor
// is ahead of its wall clock (it received stamps from a peer a few minutes
// ahead, which the drift bound allows) merges a change stamped before that
// floor; its next captured edit must still be stamped above every edit it
// captured before.
func TestReliabilityClockAfterMergingOlderStamps(t *testing.T) {
	phone, desk := newDevice(t, "phone", schema.Mobile), newDevice(t, "desktop", schema.Desktop)
	pairAll(t, phone, desk)
	desk.exec(t, seedRelease)
	phone.apply(t, desk.export(t, phone, true))
	peer := desk.e.NodeID()

	// 1. The desktop's clock runs 4 minutes ahead (within DefaultMaxDrift):
	// the phone accepts its stamp and raises its floor to it.
	ahead := capture.HLCAt(time.Now().Add(4 * time.Minute))
	phone.apply(t, craft(t, headerFrom(t, desk, phone), fieldRec("discovery_releases", "r1", "label", "from the future", int64(ahead), peer)))
	// 2. The phone edits: stamps ahead+1, ahead+2, ahead+3.
	for i := 0; i < 3; i++ {
		phone.exec(t, fmt.Sprintf(`UPDATE discovery_releases SET notes = 'phone %d'`, i))
	}
	before := lastLocalStamp(t, phone)
	syncTo(t, phone, desk) // the desktop holds notes = 'phone 2', stamped before
	// 3. A change stamped now (a third device's, relayed; or the desktop's
	// after its clock was fixed) arrives and wins a register.
	phone.apply(t, craft(t, headerFrom(t, desk, phone), fieldRec("discovery_releases", "r1", "title", "now", int64(capture.HLCAt(time.Now())), peer)))
	clock, err := phone.e.Clock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	issued := maxIssued(t, phone)
	// 4. The phone edits the same field again: the edit must win over its
	// own earlier edits everywhere, so its stamp must be higher.
	phone.exec(t, `UPDATE discovery_releases SET notes = 'phone last'`)
	after := lastLocalStamp(t, phone)
	regs := localStampRegressions(t, phone.e.Conn())
	if after <= before || len(regs) != 0 || clock < issued {
		// The consequence: the desktop keeps 'phone 2' while the phone
		// shows 'phone last', for good.
		exchange(t, phone, desk)
		exchange(t, phone, desk)
		got := query(t, desk, `SELECT notes FROM discovery_releases`)[0][0]
		if got == `"phone last"` {
			checkConverged(t, phone, desk)
		}
		t.Fatalf("after merging a change stamped below the clock floor, Engine.Clock is %s, below the stamp %s already issued; "+
			"the next edit is stamped %s, not above the previous edit's %s (regressions %+v). Engine.Clock and the triggers' "+
			"clock read the newest local_changes row, which is the merged (older) one, and Apply's new floor "+
			"max(Clock, received, now) stays below the phone's own stamps. After syncing, the desktop's notes = %s "+
			"while the phone's are \"phone last\"", clock, issued, after, before, regs, got)
	}
}

// TestReliabilityNowInjection: lww.Options.Now is the receiving device's
// wall clock. An hour behind, a changeset stamped now is too far ahead and
// is refused whole (capture.ErrClockDrift), changing nothing; an hour
// ahead, stamps received raise the clock floor, and the next captured edit
// is stamped above them.
func TestReliabilityNowInjection(t *testing.T) {
	ctx := context.Background()
	phone, desk := newDevice(t, "phone", schema.Mobile), newDevice(t, "desktop", schema.Desktop)
	pairAll(t, phone, desk)
	desk.exec(t, seedRelease)
	cs := desk.export(t, phone, true)

	t.Run("an hour back: refused", func(t *testing.T) {
		before, sum := dumpSum(t, phone.e.Conn())
		_, err := Apply(ctx, phone.e, bytes.NewReader(cs), Options{Now: func() time.Time { return time.Now().Add(-time.Hour) }})
		if !errors.Is(err, capture.ErrClockDrift) {
			t.Fatalf("apply with the clock an hour back: %v, want ErrClockDrift", err)
		}
		checkUnchanged(t, phone.e.Conn(), before, sum, "a changeset refused for drift")
		// A larger MaxDrift lets it through.
		if _, err := Apply(ctx, phone.e, bytes.NewReader(cs), Options{MaxDrift: 2 * time.Hour,
			Now: func() time.Time { return time.Now().Add(-time.Hour) }}); err != nil {
			t.Fatalf("apply with MaxDrift 2h: %v", err)
		}
	})

	t.Run("an hour forward: the floor rises", func(t *testing.T) {
		fwd := time.Now().Add(time.Hour)
		rec := int64(capture.HLCAt(fwd.Add(-10 * time.Minute))) // 50 minutes ahead of the real clock
		peer := desk.e.NodeID()
		if _, err := Apply(ctx, phone.e, bytes.NewReader(craft(t, headerFrom(t, desk, phone),
			fieldRec("discovery_releases", "r1", "notes", "from a fast clock", rec, peer))), Options{Now: func() time.Time { return fwd }}); err != nil {
			t.Fatal(err)
		}
		floor := capture.HLC(sqlitetest.Int(t, phone.e.Conn(), `SELECT hlc FROM sync_state`))
		if floor < capture.HLC(rec) || floor < capture.HLCAt(fwd) {
			t.Errorf("floor %s after receiving %s with the clock at %s", floor, capture.HLC(rec), fwd)
		}
		checkClockAbove(t, phone, "after receiving")
		phone.exec(t, `UPDATE discovery_releases SET label = 'local after'`)
		if got := lastLocalStamp(t, phone); got <= floor {
			t.Errorf("the next edit is stamped %s, not above the floor %s", got, floor)
		}
		// The local edit wins over the received one everywhere.
		phone.exec(t, `UPDATE discovery_releases SET notes = 'local wins'`)
		// The desktop's clock is right: with the default drift bound it
		// refuses the phone's stamps, an hour ahead of it...
		_, err := Apply(ctx, desk.e, bytes.NewReader(phone.export(t, desk, false)), Options{})
		if !errors.Is(err, capture.ErrClockDrift) {
			t.Fatalf("desktop applies stamps an hour ahead: %v, want ErrClockDrift", err)
		}
		// ...and takes them once its clock is forward too.
		if _, err := Apply(ctx, desk.e, bytes.NewReader(phone.export(t, desk, false)), Options{Now: func() time.Time { return fwd }}); err != nil {
			t.Fatal(err)
		}
		if got := query(t, desk, `SELECT notes FROM discovery_releases`)[0][0]; got != `"local wins"` {
			t.Errorf("desktop notes = %s", got)
		}
	})
}
