package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/capture-sync/capture/capture"
)

func init() {
	register("unpair", "forget a paired device and its cursors", runUnpair)
}

func runUnpair(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "unpair", "--db PATH --device NODEID [--json]",
		"capturectl unpair --db ./desktop.db --device 0123456789abcdef").withJSON()
	device := f.String("device", "", "the paired device's node `id` (required)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *device == "" {
		return usageErr(errors.New("--device is required"), "")
	}
	eng, err := openEngine(ctx, e, f.db, false)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)

	if err := eng.Unpair(ctx, *device); errors.Is(err, capture.ErrUnknownDevice) {
		return withHint(err, "capturectl devices --db "+shellQuote(f.db)+" lists the paired devices")
	} else if err != nil {
		return err
	}
	if f.json {
		return writeJSON(e.stdout, map[string]string{"unpaired": *device})
	}
	fmt.Fprintf(e.stdout, "unpaired %s\n", *device)
	return nil
}
