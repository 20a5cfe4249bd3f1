package lww

import (
	"context"
	"errors"
	"testing"

	"github.com/capture-sync/capture/schema"
)

// TestVerifyCancelled: a Verify whose context is done fails with the
// context's error and leaves no transaction open, so the next one runs.
func TestVerifyCancelled(t *testing.T) {
	desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
	pairAll(t, desk, phone)
	desk.exec(t, seedRelease)
	syncTo(t, desk, phone)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Verify(ctx, phone.e, VerifyOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("verify with a cancelled context: %v", err)
	}
	if !phone.e.Conn().GetAutocommit() {
		t.Fatal("a transaction was left open")
	}
	rep, err := Verify(context.Background(), phone.e, VerifyOptions{})
	if err != nil || !rep.OK() || rep.Rows == 0 {
		t.Fatalf("verify after: %+v, %v", rep, err)
	}
}
