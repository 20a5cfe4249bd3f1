package lww

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/schema"
)

// smallBatchPhone makes batches of two records for the test, and returns a
// phone holding the desktop's seed release, the header of a changeset from
// that desktop, and a stamp of now.
func smallBatchPhone(t *testing.T) (phone *device, h changeset.Header, now int64) {
	smallBatches(t, 2)
	phone, desk := newDevice(t, "phone", schema.Mobile), newDevice(t, "desktop", schema.Desktop)
	pairAll(t, phone, desk)
	desk.exec(t, seedRelease)
	phone.apply(t, desk.export(t, phone, true))
	return phone, changeset.Header{Origin: desk.e.NodeID(), To: phone.e.NodeID()}, int64(capture.HLCAt(time.Now()))
}

// TestApplyFailsWhileReadingAhead fails an Apply on a bad record in its
// first batch, with many batches still unread (the reading goroutine is a
// batch ahead, waiting): Apply must return the record's error. Then the
// changeset cut short (a read error in a later batch, after batches were
// applied) must fail too, leaving nothing applied.
func TestApplyFailsWhileReadingAhead(t *testing.T) {
	phone, h, now := smallBatchPhone(t)
	peer := h.Origin
	recs := []changeset.Record{fieldRec("discovery_releases", "r1", "notes", "n", now, peer),
		fieldRec("discovery_releases", nil, "notes", "bad", now, peer)}
	for i := range 2000 {
		recs = append(recs, fieldRec("discovery_releases", "r1", "notes", "n", now+int64(i), peer))
	}
	cs := craft(t, h, recs...)

	before := phone.state(t)
	_, err := Apply(context.Background(), phone.e, bytes.NewReader(cs), Options{})
	if !errors.Is(err, ErrBadRecord) {
		t.Fatalf("Apply = %v, want ErrBadRecord", err)
	}
	if phone.state(t) != before {
		t.Error("a changeset with a bad record changed the database")
	}
	_, err = Apply(context.Background(), phone.e, bytes.NewReader(craft(t, h, recs[2:]...)[:len(cs)/2]), Options{})
	if !errors.Is(err, changeset.ErrTruncated) {
		t.Fatalf("Apply of a cut changeset = %v, want ErrTruncated", err)
	}
	if phone.state(t) != before {
		t.Error("a changeset that failed to read changed the database")
	}
}

// TestApplyFailsOnAStalledStream fails an Apply on a bad record while the
// rest of the changeset has not arrived: Apply must return the error at
// once, not wait for a Read the sender has stalled.
func TestApplyFailsOnAStalledStream(t *testing.T) {
	phone, h, now := smallBatchPhone(t)
	peer := h.Origin
	cs := craft(t, h, fieldRec("discovery_releases", "r1", "notes", "n", now, peer),
		fieldRec("discovery_releases", nil, "notes", "bad", now, peer),
		fieldRec("discovery_releases", "r1", "notes", "m", now+1, peer))

	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write(cs[:len(cs)-4]) // all but the end: the next Read waits
	done := make(chan error, 1)
	go func() {
		_, err := Apply(context.Background(), phone.e, pr, Options{})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrBadRecord) {
			t.Fatalf("Apply = %v, want ErrBadRecord", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Apply still waiting for the stalled stream after failing")
	}
}
