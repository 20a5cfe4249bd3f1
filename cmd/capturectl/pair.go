package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/capture-sync/capture/capture"
)

func init() {
	register("pair", "pair a device (or update its name, platform and token)", runPair)
}

// pairReport is what pair prints.
type pairReport struct {
	// Repaired is set when the device was paired already; its cursors are
	// kept.
	Repaired bool       `json:"repaired"`
	Device   deviceJSON `json:"device"`
}

func runPair(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "pair", "--db PATH --device NODEID --name NAME --platform P --token TOKEN [--json]",
		`capturectl pair --db ./desktop.db --device 0123456789abcdef --name "Anna's iPhone" --platform ios --token s3cret`).withJSON()
	device := f.String("device", "", "the other device's node `id`: 16 hex digits (required)")
	name := f.String("name", "", "a `name` for people, e.g. \"Anna's iPhone\"")
	platform := f.String("platform", "", "the device's `platform`, e.g. ios, android, macos")
	token := f.String("token", "", "the pairing `token` the two devices agreed on (required; only its hash is stored)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := checkNodeID(*device, f.db); err != nil {
		return err
	}
	if *token == "" {
		return usageErr(errors.New("--token is required"), "the token is the secret both devices were given when pairing")
	}
	eng, err := openEngine(ctx, e, f.db, false)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)

	_, err = eng.Device(ctx, *device)
	repaired := err == nil
	if err != nil && !errors.Is(err, capture.ErrUnknownDevice) {
		return err
	}
	err = eng.Pair(ctx, capture.Device{ID: *device, Name: *name, Platform: *platform}, []byte(*token))
	if errors.Is(err, capture.ErrSelf) {
		return withHint(err, "pair the other device's node id: capturectl status --db on that device shows it")
	} else if err != nil {
		return err
	}
	d, err := eng.Device(ctx, *device)
	if err != nil {
		return err
	}
	n, err := countPending(ctx, eng, d.ID)
	if err != nil {
		return err
	}
	rep := pairReport{Repaired: repaired, Device: newDeviceJSON(d, n)}
	if f.json {
		return writeJSON(e.stdout, rep)
	}
	verb := "paired"
	if repaired {
		verb = "paired again (cursors kept)"
	}
	fmt.Fprintf(e.stdout, "%s %s (%s, %s): acked seq %d, %d changes pending\n", verb, d.ID,
		orDash(escapeControl(d.Name)), orDash(escapeControl(d.Platform)), d.AckedSeq, n)
	return nil
}

// checkNodeID refuses a --device that is not a node id.
func checkNodeID(id, db string) error {
	if id == "" {
		return usageErr(errors.New("--device is required"), "")
	}
	if len(id) != 16 || strings.Trim(id, "0123456789abcdef") != "" {
		return usageErr(fmt.Errorf("--device %q is not a node id (16 lowercase hex digits)", id),
			"capturectl status --db on the other device shows its node id; capturectl devices --db "+shellQuote(db)+" lists the paired ones")
	}
	return nil
}
