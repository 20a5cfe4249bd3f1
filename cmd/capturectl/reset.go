package main

import (
	"context"
	"fmt"

	"github.com/capture-sync/capture/capture"
)

func init() {
	register("reset", "give a restored or copied database a new node id, so that it syncs again", runReset)
}

// resetReport is what reset prints with --json.
type resetReport struct {
	OldNodeID string `json:"old_node_id"`
	NodeID    string `json:"node_id"`
	NewDevice bool   `json:"new_device"`
}

func runReset(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "reset", "--db PATH [--new-device] [--json]",
		"capturectl reset --db ./desktop.db").withJSON()
	newDevice := f.Bool("new-device", false, "the database is a copy of another device's: it leaves every pairing and is paired again as a device of its own")
	if _, err := f.parse(args); err != nil {
		return err
	}
	eng, err := openEngine(ctx, e, f.db, false)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)

	old, id, err := eng.Reset(ctx, capture.ResetOptions{NewDevice: *newDevice})
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(e.stdout, resetReport{OldNodeID: old, NodeID: id, NewDevice: *newDevice})
	}
	fmt.Fprintf(e.stdout, "node id %s is now %s\n", old, id)
	if *newDevice {
		fmt.Fprintf(e.stdout, "paired with no device: pair it again (capturectl pair --db %s --device ID --token TOKEN), and sync\n", shellQuote(f.db))
		return nil
	}
	fmt.Fprintln(e.stdout, "sync with each paired device: its first changeset from here moves its pairing to the new id, and it sends everything back")
	return nil
}
