package lan

import (
	"context"
	"errors"
	"testing"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// registers lists e's registers of the tables both profiles sync, with
// their stamps: what must be identical once two devices agree.
func registers(t *testing.T, e *capture.Engine) string {
	t.Helper()
	return rows(t, e, `SELECT entity_type, entity_id, field_name, hlc, tombstone FROM field_timestamps
		WHERE entity_type IN ('discovery_releases', 'discovery_tracks', 'tags', 'tag_categories', 'discovery_release_tags')
		ORDER BY 1, 2, 3`)
}

// TestStartOver: a phone refuses to start over while the desktop has not
// acknowledged its changes; once it has, the phone starts over, and its
// next round brings it everything back, identical to the desktop, over
// the pairing it had. A phone that the desktop unpairs and pairs again
// is sent everything too.
func TestStartOver(t *testing.T) {
	ctx := context.Background()
	desk, phone := open(t, "desktop.db", schema.Desktop), open(t, "phone.db", schema.Mobile)
	s, addr := serve(t, desk)
	pair(t, s, addr, phone)
	sqlitetest.Exec(t, desk.Conn(), bulkEdits("d", 40))
	if _, err := Sync(ctx, phone, "", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	sqlitetest.Exec(t, phone.Conn(), bulkEdits("p", 10))
	before := dump(t, phone)
	if _, _, err := phone.Reset(ctx, capture.ResetOptions{StartOver: true}); !errors.Is(err, capture.ErrPending) {
		t.Fatalf("start over with changes the desktop lacks: %v", err)
	}
	if dump(t, phone) != before {
		t.Fatal("a refused start over changed the phone")
	}
	for range 2 { // the second round brings the acknowledgement
		if _, err := Sync(ctx, phone, "", SyncOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	old, _, err := phone.Reset(ctx, capture.ResetOptions{StartOver: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(t, phone, `SELECT (SELECT count(*) FROM discovery_releases) + (SELECT count(*) FROM field_timestamps) + (SELECT count(*) FROM local_changes)`); got != "[[0]]" {
		t.Fatalf("after starting over the phone holds %s rows, registers and changes", got)
	}
	sqlitetest.Exec(t, desk.Conn(), `UPDATE discovery_releases SET notes = 'meanwhile' WHERE id = 'd3'`)
	r, err := Sync(ctx, phone, "", SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Received.Won == 0 {
		t.Errorf("the first round after starting over: %+v", r.Received)
	}
	if _, err := desk.Device(ctx, old); !errors.Is(err, capture.ErrUnknownDevice) {
		t.Errorf("the desktop still pairs the phone's old id: %v", err)
	}
	const q = `SELECT id, url, title, notes FROM discovery_releases ORDER BY id`
	if a, b := rows(t, desk, q), rows(t, phone, q); a != b {
		t.Errorf("after starting over:\ndesktop %s\nphone   %s", a, b)
	}
	if a, b := registers(t, desk), registers(t, phone); a != b {
		t.Errorf("registers differ after starting over")
	}

	// Unpaired and paired again: it is sent everything (a snapshot: the
	// new pairing has acknowledged nothing), what was made meanwhile too.
	code, err := s.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Pair(ctx, phone, addr, code, ClientOptions{}); !errors.Is(err, ErrRefused) {
		t.Fatalf("pairing a device that is paired already: %v", err)
	}
	if _, err := Sync(ctx, phone, "", SyncOptions{}); err != nil {
		t.Fatalf("the refused pairing broke the one there was: %v", err)
	}
	if err := desk.Unpair(ctx, phone.NodeID()); err != nil {
		t.Fatal(err)
	}
	sqlitetest.Exec(t, desk.Conn(), `UPDATE discovery_releases SET notes = 'while unpaired' WHERE id = 'd5'`)
	pair(t, s, addr, phone)
	r, err = Sync(ctx, phone, "", SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(registers(t, desk)); r.Received.Records < 40*2 {
		t.Errorf("after pairing again the phone received %d records (%d bytes of registers on the desktop)", r.Received.Records, n)
	}
	if a, b := rows(t, desk, q), rows(t, phone, q); a != b {
		t.Errorf("after pairing again:\ndesktop %s\nphone   %s", a, b)
	}
	if a, b := registers(t, desk), registers(t, phone); a != b {
		t.Errorf("registers differ after pairing again")
	}
}
