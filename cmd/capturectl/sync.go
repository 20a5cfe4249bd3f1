package main

import (
	"context"
	"errors"
	"fmt"
	"io"

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
	f := newFlags(e, "sync", "--db PATH [--addr HOST:PORT | --mdns] [--json]",
		"capturectl sync --db ./mobile.db --addr 192.168.1.20:7310").withJSON()
	addr := f.String("addr", "", "the desktop's `address`, host:port (default: where it was last reached)")
	byMDNS := f.Bool("mdns", false, "find the paired desktop on the local network by mDNS instead")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *byMDNS && *addr != "" {
		return usageErr(errors.New("sync takes --addr or --mdns, not both"), "capturectl sync --db ./mobile.db --mdns")
	}
	eng, err := openEngine(ctx, e, f.db, false)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)
	if *byMDNS {
		desk, err := pairedDesktop(ctx, eng)
		if err != nil {
			return err
		}
		d, err := findDesktop(ctx, e, desk)
		if err != nil {
			return err
		}
		*addr = d.Addrs[0]
	}
	r, err := lan.Sync(ctx, eng, *addr, lan.SyncOptions{Progress: progressTo(e.stderr)})
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

// progressTo shows a round's progress on w, a line a second once it has
// run for a second, and a last line if it showed any.
func progressTo(w io.Writer) func(lan.Progress) {
	shown := false
	return func(p lan.Progress) {
		if p.Done && !shown {
			return
		}
		shown = true
		state := "syncing"
		if p.Done {
			state = "done"
		}
		fmt.Fprintf(w, "%s: %.0fs, sent %s, received %s (compressed)\n", state, p.Elapsed.Seconds(), byteSize(p.Sent), byteSize(p.Received))
	}
}

// byteSize formats n bytes for people.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
