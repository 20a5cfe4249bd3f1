package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/capture-sync/capture/lan"
)

func init() {
	register("discover", "list the desktops advertising their sync service on the local network (mDNS)", runDiscover)
}

// desktopJSON is a desktop found by mDNS as --json prints it.
type desktopJSON struct {
	NodeID   string   `json:"node_id"`
	Name     string   `json:"name"`
	Profile  string   `json:"profile"`
	Protocol int      `json:"protocol"`
	Addrs    []string `json:"addrs"`
}

func runDiscover(ctx context.Context, e *env, args []string) error {
	f := newFlagsNoDB(e, "discover", "[--timeout D] [--json]", "capturectl discover --timeout 5s").withJSON()
	timeout := f.Duration("timeout", lan.DefaultDiscoverTimeout, "how long to listen for answers, a `duration` such as 500ms or 5s (at most 1m)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *timeout <= 0 || *timeout > time.Minute {
		return usageErr(fmt.Errorf("--timeout %s: want more than 0 and at most 1m", *timeout), "capturectl discover --timeout 5s")
	}
	found, err := lan.Discover(ctx, lan.DiscoverOptions{Timeout: *timeout, Log: e.log})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return withHint(err, "mDNS needs multicast on the local network")
	}
	out := make([]desktopJSON, len(found))
	for i, d := range found {
		out[i] = desktopJSON{NodeID: d.NodeID, Name: d.Name, Profile: string(d.Profile), Protocol: d.Protocol, Addrs: d.Addrs}
	}
	if f.json {
		return writeJSON(e.stdout, out)
	}
	if len(found) == 0 {
		fmt.Fprintf(e.stdout, "no desktop answered within %s\n", *timeout)
		return nil
	}
	tw := newTable(e.stdout)
	row(tw, "NAME", "NODE", "PROFILE", "PROTOCOL", "ADDRESSES")
	for _, d := range out {
		row(tw, orDash(escapeControl(d.Name)), d.NodeID, d.Profile, strconv.Itoa(d.Protocol), strings.Join(d.Addrs, " "))
	}
	return tw.Flush()
}
