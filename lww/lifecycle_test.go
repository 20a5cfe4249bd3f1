package lww

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// backup writes a consistent copy of d's database to a new file and
// returns its path.
func backup(t testing.TB, d *device) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("%s-backup.db", d.name))
	sqlitetest.Exec(t, d.e.Conn(), `VACUUM INTO '`+path+`'`)
	return path
}

// replaceFile closes d's engine, puts the file at from in place of d's
// database (as a restore from a backup or a copied file does), and opens
// it again.
func replaceFile(t testing.TB, d *device, from string) {
	t.Helper()
	if err := d.e.Close(); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(d.path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d.path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := capture.Open(context.Background(), d.path, capture.Options{Profile: d.p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	d.e = e
}

// syncOrFork sends from's changeset to to. A changeset that shows to's
// database forked (capture.ErrForked) is answered as the app does: to is
// reset, and the exchange goes on.
func syncOrFork(t testing.TB, from, to *device) {
	t.Helper()
	_, err := Apply(context.Background(), to.e, bytes.NewReader(from.export(t, to, false)), Options{})
	switch {
	case errors.Is(err, capture.ErrForked):
		if _, _, err := to.e.Reset(context.Background(), capture.ResetOptions{}); err != nil {
			t.Fatal(err)
		}
	case err != nil:
		t.Fatalf("%s applies: %v", to.name, err)
	}
}

// TestRestoredDeviceGetsBackWhatItLost: a desktop and a phone sync three
// edits; then one of them is restored from a backup taken before those
// edits, makes a new edit, and the two sync again. The first changeset
// from the peer shows the restored database that its log went back
// (capture.ErrForked, and status has it); it is reset, takes a new node id,
// the peer moves the pairing to it, and the two end identical, with the
// three edits and the new one.
func TestRestoredDeviceGetsBackWhatItLost(t *testing.T) {
	for _, restored := range []string{"desktop", "phone"} {
		t.Run(restored, func(t *testing.T) {
			ctx := context.Background()
			desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
			pairAll(t, desk, phone)
			desk.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'One', 'd', 'd')`)
			exchange(t, desk, phone)
			exchange(t, desk, phone)
			d, peer := desk, phone
			if restored == "phone" {
				d, peer = phone, desk
			}
			saved := backup(t, d)
			oldID := d.e.NodeID()
			later()
			d.exec(t, `UPDATE discovery_releases SET notes = 'edit 1' WHERE id = 'r1'`)
			d.exec(t, `INSERT INTO tag_categories (id, name) VALUES ('c1', 'edit 2')`)
			peer.exec(t, `UPDATE discovery_releases SET label = 'edit 3' WHERE id = 'r1'`)
			exchange(t, desk, phone)
			exchange(t, desk, phone)

			replaceFile(t, d, saved)
			later()
			d.exec(t, `INSERT INTO tag_categories (id, name) VALUES ('c2', 'after the restore')`)
			_, err := Apply(ctx, d.e, bytes.NewReader(peer.export(t, d, false)), Options{})
			if !errors.Is(err, capture.ErrForked) {
				t.Fatalf("the restored %s applies: got %v, want ErrForked", restored, err)
			}
			if msg, _ := d.e.Forked(ctx); msg == "" {
				t.Error("the fork is not recorded for status")
			}
			if _, newID, err := d.e.Reset(ctx, capture.ResetOptions{}); err != nil || newID == oldID {
				t.Fatalf("reset: %v, %s", err, newID)
			}
			// The reset device speaks first: its peer learns its new id
			// from its changeset.
			for round := 0; round < 4; round++ {
				syncOrFork(t, d, peer)
				syncOrFork(t, peer, d)
			}
			checkConverged(t, desk, phone)
			checkIntegrity(t, desk, phone)
			want := `"One|edit 1|edit 3|edit 2,after the restore"`
			for _, dev := range []*device{desk, phone} {
				got := query(t, dev, `SELECT title || '|' || notes || '|' || label || '|' || (SELECT group_concat(name) FROM (SELECT name FROM tag_categories ORDER BY id)) FROM discovery_releases`)
				if got[0][0] != want {
					t.Errorf("%s: got %v, want %s", dev.name, got, want)
				}
			}
			// The peer knows the restored device by its new id only; a
			// changeset under the old one is refused.
			if _, err := peer.e.Device(ctx, oldID); !errors.Is(err, capture.ErrUnknownDevice) {
				t.Errorf("the old id is still paired: %v", err)
			}
			if msg, _ := d.e.Forked(ctx); msg != "" {
				t.Errorf("reset left the fork recorded: %s", msg)
			}
		})
	}
}

// TestCopiedDatabaseIsRefused: a desktop's database copied to a second
// machine and used on both gives two databases under one node id. A phone
// that has seen both refuses the copy's changeset (ErrPeerForked), the
// copy refuses the phone's (capture.ErrForked), and neither changes
// anything. Reset as a new device and paired again, the copy syncs like
// any other device, and all three converge.
func TestCopiedDatabaseIsRefused(t *testing.T) {
	ctx := context.Background()
	desk, phone := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile)
	pairAll(t, desk, phone)
	desk.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'One', 'd', 'd')`)
	exchange(t, desk, phone)
	exchange(t, desk, phone)

	copyPath := backup(t, desk)
	copied := openExisting(t, "copy", copyPath, schema.Desktop)
	if copied.e.NodeID() != desk.e.NodeID() {
		t.Fatal("the copy has another node id")
	}
	later()
	desk.exec(t, `UPDATE discovery_releases SET notes = 'on the desktop' WHERE id = 'r1'`)
	later() // two copies that stamp one change alike in one millisecond cannot be told apart
	copied.exec(t, `UPDATE discovery_releases SET label = 'on the copy' WHERE id = 'r1'`)
	exchange(t, desk, phone)

	before := sqlitetest.Dump(t, phone.e.Conn())
	_, err := Apply(ctx, phone.e, bytes.NewReader(copied.export(t, phone, false)), Options{})
	if !errors.Is(err, ErrPeerForked) {
		t.Fatalf("the phone applies the copy's changeset: got %v, want ErrPeerForked", err)
	}
	if after := sqlitetest.Dump(t, phone.e.Conn()); after != before {
		t.Errorf("the refused changeset changed the phone:\n%s", diffLines(before, after))
	}
	before = sqlitetest.Dump(t, copied.e.Conn())
	_, err = Apply(ctx, copied.e, bytes.NewReader(phone.export(t, copied, false)), Options{})
	if !errors.Is(err, capture.ErrForked) {
		t.Fatalf("the copy applies the phone's changeset: got %v, want capture.ErrForked", err)
	}
	if msg, _ := copied.e.Forked(ctx); msg == "" {
		t.Error("the fork is not recorded for status")
	}
	// The record of the fork (for status) is all that changed.
	sqlitetest.Exec(t, copied.e.Conn(), `UPDATE sync_state SET forked = NULL`)
	if after := sqlitetest.Dump(t, copied.e.Conn()); after != before {
		t.Errorf("the refused changeset changed the copy:\n%s", diffLines(before, after))
	}

	old, id, err := copied.e.Reset(ctx, capture.ResetOptions{NewDevice: true})
	if err != nil || id <= old {
		t.Fatalf("reset as a new device: %s -> %s, %v", old, id, err)
	}
	if devs, _ := copied.e.Devices(ctx); len(devs) != 0 {
		t.Errorf("a new device keeps its pairings: %v", devs)
	}
	pairAll(t, phone, copied)
	for round := 0; round < 3; round++ {
		for _, pair := range [][2]*device{{copied, phone}, {phone, copied}, {desk, phone}, {phone, desk}} {
			syncTo(t, pair[0], pair[1])
		}
	}
	checkConverged(t, desk, phone, copied)
	checkIntegrity(t, desk, phone, copied)
	if got := query(t, desk, `SELECT notes || '/' || label FROM discovery_releases WHERE id = 'r1'`); got[0][0] != `"on the desktop/on the copy"` {
		t.Errorf("r1 on the desktop: %v", got)
	}
}

// TestRestoreShowsThroughARelay: a phone's edit reaches the desktop, and
// the desktop relays it to a tablet. Then the phone and the desktop are
// both restored from backups taken before the edit, so that the only
// device the phone's log went to went back too. The tablet got, with the
// relayed edit, the desktop's checks of the phone's log
// (changeset.Header.Witness), and passes them on: the phone's restore
// shows (capture.ErrForked), and after the resets all three end with the
// edit.
func TestRestoreShowsThroughARelay(t *testing.T) {
	ctx := context.Background()
	desk, phone, tablet := newDevice(t, "desktop", schema.Desktop), newDevice(t, "phone", schema.Mobile), newDevice(t, "tablet", schema.Mobile)
	devs := []*device{desk, phone, tablet}
	pairAll(t, devs...)
	desk.exec(t, `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'One', 'd', 'd')`)
	for range 2 {
		exchange(t, desk, phone)
		exchange(t, desk, tablet)
		exchange(t, phone, tablet)
	}
	phoneSaved, deskSaved := backup(t, phone), backup(t, desk)
	later()
	phone.exec(t, `UPDATE discovery_releases SET label = 'kept by the tablet' WHERE id = 'r1'`)
	syncTo(t, phone, desk)
	syncTo(t, desk, tablet)
	replaceFile(t, phone, phoneSaved)
	replaceFile(t, desk, deskSaved)

	forked := map[string]bool{}
	for round := 0; round < 4; round++ {
		for _, a := range devs {
			for _, b := range devs {
				if a == b {
					continue
				}
				peer := pairedID(t, a, b)
				if peer == "" {
					continue // b was reset, and has not told a its new id yet
				}
				var buf bytes.Buffer
				if _, err := a.e.Export(ctx, &buf, capture.ExportOptions{Peer: peer}); err != nil {
					t.Fatal(err)
				}
				_, err := Apply(ctx, b.e, &buf, Options{})
				switch {
				case errors.Is(err, capture.ErrForked):
					forked[b.name] = true
					reset(t, b)
				case err != nil:
					t.Fatalf("%s applies from %s: %v", b.name, a.name, err)
				}
			}
		}
	}
	if !forked["phone"] || !forked["desktop"] || forked["tablet"] {
		t.Errorf("forks shown: %v, want the phone's and the desktop's", forked)
	}
	checkConverged(t, devs...)
	checkIntegrity(t, devs...)
	for _, d := range devs {
		if got := query(t, d, `SELECT label FROM discovery_releases WHERE id = 'r1'`); got[0][0] != `"kept by the tablet"` {
			t.Errorf("%s: label %v", d.name, got)
		}
	}
}
