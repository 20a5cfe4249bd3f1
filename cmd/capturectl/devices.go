package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/capture-sync/capture/capture"
)

func init() {
	register("devices", "list the paired devices and their sync cursors", runDevices)
}

// deviceJSON is a paired device as --json prints it.
type deviceJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Platform    string `json:"platform"`
	PairedAt    any    `json:"paired_at"`
	LastSeen    any    `json:"last_seen"`
	AckedSeq    int64  `json:"acked_seq"`
	ReceivedSeq int64  `json:"received_seq"`
	Pending     int    `json:"pending"`
}

func newDeviceJSON(d capture.Device, pending int) deviceJSON {
	return deviceJSON{ID: d.ID, Name: d.Name, Platform: d.Platform, PairedAt: jsonTime(d.PairedAt),
		LastSeen: jsonTime(d.LastSeen), AckedSeq: d.AckedSeq, ReceivedSeq: d.ReceivedSeq, Pending: pending}
}

func runDevices(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "devices", "--db PATH [--json]", "capturectl devices --db ./desktop.db").withJSON()
	if _, err := f.parse(args); err != nil {
		return err
	}
	eng, err := openEngine(ctx, e, f.db, true)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)

	devices, err := eng.Devices(ctx)
	if err != nil {
		return err
	}
	out := make([]deviceJSON, len(devices))
	for i, d := range devices {
		n, err := countPending(ctx, eng, d.ID)
		if err != nil {
			return err
		}
		out[i] = newDeviceJSON(d, n)
	}
	if f.json {
		return writeJSON(e.stdout, out)
	}
	if len(devices) == 0 {
		fmt.Fprintln(e.stdout, "no paired devices")
		return nil
	}
	tw := newTable(e.stdout)
	row(tw, "DEVICE", "NAME", "PLATFORM", "PAIRED", "LAST SEEN", "ACKED", "RECEIVED", "PENDING")
	for i, d := range devices {
		row(tw, d.ID, orDash(escapeControl(d.Name)), orDash(escapeControl(d.Platform)), formatTime(d.PairedAt),
			formatTime(d.LastSeen), strconv.FormatInt(d.AckedSeq, 10), strconv.FormatInt(d.ReceivedSeq, 10),
			strconv.Itoa(out[i].Pending))
	}
	return tw.Flush()
}
