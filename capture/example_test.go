package capture_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
)

// Open a phone database, edit it like the app would, and read what a paired
// desktop has not acknowledged yet.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "capture-example")
	defer os.RemoveAll(dir)

	e, err := capture.Open(ctx, filepath.Join(dir, "phone.db"), capture.Options{Profile: schema.Mobile})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()

	// Any connection's edits are captured by the triggers, in the edit's
	// own transaction.
	err = e.Conn().Exec(`
		INSERT INTO discovery_releases (id, url, title, date_added, date_modified)
			VALUES ('r1', 'https://label.bandcamp.com/album/x', 'First title', '2026-11-25', '2026-11-25');
		UPDATE discovery_releases SET title = 'Second title', notes = 'dig the B-side' WHERE id = 'r1';`)
	if err != nil {
		fmt.Println(err)
		return
	}

	desktop := "0123456789abcdef"
	if err := e.Pair(ctx, capture.Device{ID: desktop, Name: "Studio desktop", Platform: "macos"}, []byte("token")); err != nil {
		fmt.Println(err)
		return
	}
	var last int64
	for c, err := range e.Pending(ctx, desktop) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d %s %s.%v %q: %v -> %v\n", c.Seq, c.Op, c.Table, c.EntityID, c.Field, c.Old, c.New)
		last = c.Seq
	}
	// Once the desktop confirms, those changes are no longer pending.
	if err := e.Ack(ctx, desktop, last); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1 insert discovery_releases.r1 "": <nil> -> <nil>
	// 2 update discovery_releases.r1 "notes": <nil> -> dig the B-side
	// 3 update discovery_releases.r1 "title": First title -> Second title
}
