package main

import (
	"context"
	"fmt"

	"github.com/capture-sync/capture/lan"
)

func init() {
	register("sync", "run one sync round with the desktop paired over the network", runSync)
}

// syncReport is what sync prints.
type syncReport struct {
	Desktop      string `json:"desktop"`
	SentRows     int64  `json:"sent_rows"`
	SentFields   int64  `json:"sent_fields"`
	Received     int    `json:"received"`
	Won          int    `json:"won"`
	Lost         int    `json:"lost"`
	Parked       int    `json:"parked"`
	Merged       int    `json:"merged"`
	UpToSeqSent  int64  `json:"up_to_seq_sent"`
	UpToSeqTaken int64  `json:"up_to_seq_received"`
}

func runSync(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "sync", "--db PATH [--addr HOST:PORT] [--json]",
		"capturectl sync --db ./mobile.db --addr 192.168.1.20:7310").withJSON()
	addr := f.String("addr", "", "the desktop's `address`, host:port (default: where it was last reached)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	eng, err := openEngine(ctx, e, f.db, false)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)
	r, err := lan.Sync(ctx, eng, *addr)
	if err != nil {
		return err
	}
	rep := syncReport{Desktop: r.Desktop, SentRows: r.Sent.Rows, SentFields: r.Sent.Fields, UpToSeqSent: r.Sent.UpToSeq,
		Received: r.Received.Records, Won: r.Received.Won, Lost: r.Received.Lost, Parked: r.Received.Parked,
		Merged: len(r.Received.Merges), UpToSeqTaken: r.Received.UpToSeq}
	if f.json {
		return writeJSON(e.stdout, rep)
	}
	fmt.Fprintf(e.stdout, "synced with %s: sent %d rows and %d fields (up to seq %d); received %d records: %d won, %d lost, %d parked, %d merges\n",
		rep.Desktop, rep.SentRows, rep.SentFields, rep.UpToSeqSent, rep.Received, rep.Won, rep.Lost, rep.Parked, rep.Merged)
	return nil
}
