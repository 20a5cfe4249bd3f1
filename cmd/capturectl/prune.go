package main

import (
	"context"
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

func init() {
	register("prune", "delete the changes every paired device has acknowledged", runPrune)
}

// pruneReport is what prune prints.
type pruneReport struct {
	Deleted   int64 `json:"deleted"`
	Remaining int64 `json:"remaining"`
	LastSeq   int64 `json:"last_seq"`
	Devices   int   `json:"devices"`
}

func runPrune(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "prune", "--db PATH [--json]", "capturectl prune --db ./mobile.db").withJSON()
	if _, err := f.parse(args); err != nil {
		return err
	}
	eng, err := openEngine(ctx, e, f.db, false)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)

	var rep pruneReport
	if rep.Deleted, err = eng.Prune(ctx); err != nil {
		return err
	}
	devices, err := eng.Devices(ctx)
	if err != nil {
		return err
	}
	rep.Devices = len(devices)
	if rep.LastSeq, err = eng.LastSeq(ctx); err != nil {
		return err
	}
	if err := queryRow(eng.Conn(), `SELECT count(*) FROM local_changes`, func(s *sqlite3.Stmt) {
		rep.Remaining = s.ColumnInt64(0)
	}); err != nil {
		return fmt.Errorf("count the changes left: %w", err)
	}
	if f.json {
		return writeJSON(e.stdout, rep)
	}
	fmt.Fprintf(e.stdout, "pruned %d changes; %d left in the log (newest seq %d)\n", rep.Deleted, rep.Remaining, rep.LastSeq)
	if rep.Devices == 0 {
		fmt.Fprintln(e.stdout, "no paired device: the log is kept until a paired device has acknowledged it")
	}
	return nil
}
