package lww_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/lww"
	"github.com/capture-sync/capture/schema"
)

// A desktop sends a phone its first snapshot; then both edit the same
// release and exchange deltas: each field keeps its latest write.
func ExampleApply() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "lww-example")
	defer os.RemoveAll(dir)
	open := func(name string, p schema.Profile) *capture.Engine {
		e, err := capture.Open(ctx, filepath.Join(dir, name), capture.Options{Profile: p})
		if err != nil {
			panic(err)
		}
		return e
	}
	desk, phone := open("desktop.db", schema.Desktop), open("phone.db", schema.Mobile)
	defer desk.Close()
	defer phone.Close()
	desk.Pair(ctx, capture.Device{ID: phone.NodeID(), Name: "phone"}, []byte("482913"))
	phone.Pair(ctx, capture.Device{ID: desk.NodeID(), Name: "desktop"}, []byte("482913"))

	// sync sends from's changes to to.
	sync := func(from, to *capture.Engine, snapshot bool) lww.Result {
		var buf bytes.Buffer
		if _, err := from.Export(ctx, &buf, capture.ExportOptions{Peer: to.NodeID(), Snapshot: snapshot}); err != nil {
			panic(err)
		}
		res, err := lww.Apply(ctx, to, &buf, lww.Options{})
		if err != nil {
			panic(err)
		}
		return res
	}

	desk.Conn().Exec(`INSERT INTO discovery_releases (id, url, title, date_added, date_modified)
		VALUES ('r1', 'https://label.bandcamp.com/album/x', 'Title', 'd', 'd')`)
	fmt.Println("first sync, records won:", sync(desk, phone, true).Won)

	phone.Conn().Exec(`UPDATE discovery_releases SET notes = 'from the phone'`)
	desk.Conn().Exec(`UPDATE discovery_releases SET label = 'from the desktop'`)
	sync(phone, desk, false)
	sync(desk, phone, false)

	for _, e := range []*capture.Engine{desk, phone} {
		var notes, label string
		s, _, _ := e.Conn().Prepare(`SELECT notes, label FROM discovery_releases`)
		if s.Step() {
			notes, label = s.ColumnText(0), s.ColumnText(1)
		}
		s.Close()
		fmt.Printf("%s: notes %q, label %q\n", e.Profile(), notes, label)
	}
	// Output:
	// first sync, records won: 1
	// desktop: notes "from the phone", label "from the desktop"
	// mobile: notes "from the phone", label "from the desktop"
}

// The desktop and the phone each add the release at one URL, under their
// own ids. The phone's Apply finds the two are one (the URL is a natural
// key): the smaller id survives, and the result says so, for the app to
// show the survivor where it showed the other.
func ExampleResult_merges() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "lww-example")
	defer os.RemoveAll(dir)
	open := func(name string, p schema.Profile) *capture.Engine {
		e, err := capture.Open(ctx, filepath.Join(dir, name), capture.Options{Profile: p})
		if err != nil {
			panic(err)
		}
		return e
	}
	desk, phone := open("desktop.db", schema.Desktop), open("phone.db", schema.Mobile)
	defer desk.Close()
	defer phone.Close()
	desk.Pair(ctx, capture.Device{ID: phone.NodeID(), Name: "phone"}, []byte("482913"))
	phone.Pair(ctx, capture.Device{ID: desk.NodeID(), Name: "desktop"}, []byte("482913"))

	desk.Conn().Exec(`INSERT INTO discovery_releases (id, url, title, label, date_added, date_modified)
		VALUES ('a1', 'https://label.bandcamp.com/album/x', 'Title', 'Label', 'd', 'd')`)
	phone.Conn().Exec(`INSERT INTO discovery_releases (id, url, title, notes, date_added, date_modified)
		VALUES ('b7', 'https://label.bandcamp.com/album/x', 'Title', 'Notes', 'd', 'd')`)

	var buf bytes.Buffer
	if _, err := desk.Export(ctx, &buf, capture.ExportOptions{Peer: phone.NodeID()}); err != nil {
		panic(err)
	}
	res, err := lww.Apply(ctx, phone, &buf, lww.Options{})
	if err != nil {
		panic(err)
	}
	for _, m := range res.Merges {
		fmt.Printf("%s %v is now %v: %s\n", m.Table, m.Entity, m.Survivor, m.Why)
	}
	s, _, _ := phone.Conn().Prepare(`SELECT id, label, notes FROM discovery_releases`)
	for s.Step() {
		fmt.Println(s.ColumnText(0), s.ColumnText(1), s.ColumnText(2))
	}
	s.Close()
	// Output:
	// discovery_releases b7 is now a1: both held its natural key
	// a1 Label Notes
}

// Verify checks that every synced table matches the device's sync state;
// a row deleted behind the capture triggers (here by an UPDATE of the
// applying flag, as a client with the triggers dropped would write) is a
// live entity with no values here, which only a peer can give back.
// Repair mends what the state determines and reports what is left.
func ExampleVerify() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "lww-example")
	defer os.RemoveAll(dir)
	e, err := capture.Open(ctx, filepath.Join(dir, "desktop.db"), capture.Options{Profile: schema.Desktop})
	if err != nil {
		panic(err)
	}
	defer e.Close()
	e.Conn().Exec(`INSERT INTO discovery_releases (id, url, title, date_added, date_modified)
		VALUES ('r1', 'https://a.bandcamp.com/album/x', 'X', 'd', 'd'), ('r2', 'https://b.bandcamp.com/album/y', 'Y', 'd', 'd')`)

	rep, err := lww.Verify(ctx, e, lww.VerifyOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println("violations:", rep.Total)

	other, err := sqlite3.Open(filepath.Join(dir, "desktop.db"))
	if err != nil {
		panic(err)
	}
	err = other.Exec(`BEGIN; UPDATE sync_state SET applying = 1; DELETE FROM discovery_releases WHERE id = 'r2';
		UPDATE sync_state SET applying = NULL; COMMIT`)
	other.Close()
	if err != nil {
		panic(err)
	}
	rep, _ = lww.Verify(ctx, e, lww.VerifyOptions{})
	for _, v := range rep.Violations {
		fmt.Println(v.Rule, v.Table, v.Entity, "only a peer can mend it:", v.PeerOnly)
	}
	fixed, err := lww.Repair(ctx, e)
	if err != nil {
		panic(err)
	}
	fmt.Println("after the repair:", fixed.After.Total)
	// Output:
	// violations: 0
	// entity-present discovery_releases r2 only a peer can mend it: true
	// after the repair: 1
}
