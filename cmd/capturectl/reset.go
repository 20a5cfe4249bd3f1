package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/capture-sync/capture/capture"
)

func init() {
	register("reset", "start a device over from its peers, or give a restored or copied database a new node id", runReset)
}

// resetReport is what reset prints with --json.
type resetReport struct {
	OldNodeID string `json:"old_node_id"`
	NodeID    string `json:"node_id"`
	NewDevice bool   `json:"new_device"`
	StartOver bool   `json:"start_over"`
}

// runReset resets a database. A database that a sync found forked
// (restored from a backup) keeps its data and takes a new node id; with
// --new-device (a copy) it leaves its pairings too. Any other database
// starts over: with --yes, its synced data and sync state are cleared and
// its next sync brings everything back.
func runReset(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "reset", "--db PATH [--json]\n--db PATH --new-device [--json]\n--db PATH --yes [--discard-pending] [--json]",
		"capturectl reset --db ./mobile.db --yes").withJSON().withAbout(
		"The first form is for a database that a sync found forked (restored from a\n" +
			"backup): it takes a new node id and keeps its data and pairings. The second is\n" +
			"for a copy of another device's database: it takes a new node id and leaves\n" +
			"every pairing. The third starts a device over: its synced data and sync state\n" +
			"are cleared, its pairings stay, and its next sync brings everything back.")
	yes := f.Bool("yes", false, "start over: clear this device's synced data and sync state (its pairings stay); its next sync brings everything back")
	discard := f.Bool("discard-pending", false, "with --yes: drop the changes made here that the paired devices have not acknowledged")
	newDevice := f.Bool("new-device", false, "the database is a copy of another device's: it leaves every pairing and is paired again as a device of its own")
	if _, err := f.parse(args); err != nil {
		return err
	}
	eng, err := openEngine(ctx, e, f.db, false)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)
	forked, err := eng.Forked(ctx)
	if err != nil {
		return err
	}
	opts := capture.ResetOptions{NewDevice: *newDevice}
	switch {
	case *discard && !*yes:
		return usageErr(errors.New("--discard-pending goes with --yes"), "capturectl reset --db "+shellQuote(f.db)+" --yes --discard-pending")
	case *newDevice && *yes:
		return usageErr(errors.New("reset takes --yes or --new-device, not both"), "capturectl reset --db ./mobile.db --yes")
	case *newDevice, forked != "" && !*yes:
		// A copy, or a restored database: it keeps its data.
	case !*yes:
		return usageErr(errors.New("reset clears this device's synced data and sync state, and its next sync brings everything back from its peers: run it again with --yes"),
			"capturectl reset --db "+shellQuote(f.db)+" --yes")
	default:
		opts.StartOver, opts.DiscardPending = true, *discard
	}
	old, id, err := eng.Reset(ctx, opts)
	if errors.Is(err, capture.ErrPending) {
		return withHint(err, "sync with the paired device first, so that it has them; or run reset again with --discard-pending to drop them")
	}
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(e.stdout, resetReport{OldNodeID: old, NodeID: id, NewDevice: *newDevice, StartOver: opts.StartOver})
	}
	fmt.Fprintf(e.stdout, "node id %s is now %s\n", old, id)
	switch {
	case *newDevice:
		fmt.Fprintf(e.stdout, "paired with no device: pair it again (capturectl pair --db %s --device ID --token TOKEN), and sync\n", shellQuote(f.db))
	case opts.StartOver:
		fmt.Fprintln(e.stdout, "cleared the synced data and the sync state; the pairings stay: the next sync with each paired device brings everything back")
	default:
		fmt.Fprintln(e.stdout, "sync with each paired device: its first changeset from here moves its pairing to the new id, and it sends everything back")
	}
	return nil
}
