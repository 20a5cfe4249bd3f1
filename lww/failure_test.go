package lww

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/capture-sync/capture/schema"
)

// TestFailureIsRecordedAndCleared: a changeset that passes every check but
// cannot be applied (here an app trigger of the phone's refuses the track)
// fails with ErrApplyFailed, changes nothing, and is recorded against its
// origin, with the record it failed on, once per failed try; the next
// changeset from that device that applies clears the record. Bad input is
// the sender's fault and is not recorded.
func TestFailureIsRecordedAndCleared(t *testing.T) {
	ctx := context.Background()
	desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
	pairAll(t, desk, phone)
	phone.exec(t, `CREATE TRIGGER refuse BEFORE INSERT ON discovery_tracks BEGIN SELECT RAISE(ABORT, 'refused by the app'); END`)
	desk.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'One', 'd', 'd');
		INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('t1', 'r1', 'one', 1)`)
	cs := desk.export(t, phone, false)

	failure := func() (count int, record, msg string) {
		t.Helper()
		d, err := phone.e.Device(ctx, desk.e.NodeID())
		if err != nil {
			t.Fatal(err)
		}
		if d.Failure == nil {
			return 0, "", ""
		}
		if d.Failure.At.IsZero() {
			t.Error("a failure without its time")
		}
		return d.Failure.Count, d.Failure.Record, d.Failure.Err
	}
	for try := 1; try <= 2; try++ {
		_, err := Apply(ctx, phone.e, bytes.NewReader(cs), Options{})
		if !errors.Is(err, ErrApplyFailed) {
			t.Fatalf("try %d: got %v, want ErrApplyFailed", try, err)
		}
		n, record, msg := failure()
		if n != try || !strings.Contains(record, "discovery_tracks t1") || !strings.Contains(msg, "refused by the app") {
			t.Fatalf("try %d: recorded %d, %q, %q", try, n, record, msg)
		}
		if got := query(t, phone, `SELECT count(*) FROM discovery_releases`); got[0][0] != "0" {
			t.Fatalf("a failed apply left %s releases", got[0][0])
		}
	}

	// Bad input is the sender's: it is refused, and not recorded.
	_, err := Apply(ctx, phone.e, bytes.NewReader(cs[:len(cs)-3]), Options{})
	if err == nil || errors.Is(err, ErrApplyFailed) {
		t.Fatalf("truncated changeset: got %v", err)
	}
	if n, _, _ := failure(); n != 2 {
		t.Fatalf("bad input changed the failure count to %d", n)
	}
	// A dry run records nothing either.
	if _, err := Apply(ctx, phone.e, bytes.NewReader(cs), Options{DryRun: true}); !errors.Is(err, ErrApplyFailed) {
		t.Fatalf("dry run: got %v", err)
	}
	if n, _, _ := failure(); n != 2 {
		t.Fatalf("a dry run changed the failure count to %d", n)
	}

	phone.exec(t, `DROP TRIGGER refuse`)
	phone.apply(t, cs)
	if n, record, msg := failure(); n != 0 || record != "" || msg != "" {
		t.Fatalf("after an apply that worked: %d, %q, %q", n, record, msg)
	}
	checkConverged(t, desk, phone)
}
