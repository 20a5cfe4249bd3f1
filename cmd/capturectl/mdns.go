package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/lan"
)

// What join --mdns and sync --mdns share: finding a desktop by mDNS.

// findDesktop finds by mDNS the desktop whose node id is nodeID or, when
// nodeID is "", the only one advertising, and says so on stderr.
func findDesktop(ctx context.Context, e *env, nodeID string) (lan.Desktop, error) {
	d, err := lan.FindDesktop(ctx, nodeID, lan.DiscoverOptions{Log: e.log})
	var several *lan.AmbiguousError
	switch {
	case errors.As(err, &several):
		return d, withHint(err, "choose one with --addr HOST:PORT (capturectl discover lists them)")
	case errors.Is(err, lan.ErrNoDesktop):
		return d, withHint(err, "run capturectl serve --mdns on the desktop, on this network, or give --addr HOST:PORT")
	case err != nil:
		return d, withHint(err, "mDNS needs multicast on the local network; give --addr HOST:PORT instead")
	}
	fmt.Fprintf(e.stderr, "found %s (%s) by mDNS at %s\n", escapeControl(d.Name), d.NodeID, d.Addrs[0])
	return d, nil
}

// pairedDesktop returns the node id of the desktop that lan.Sync syncs
// with: the first paired device with a pinned certificate.
func pairedDesktop(ctx context.Context, eng *capture.Engine) (string, error) {
	devices, err := eng.Devices(ctx)
	if err != nil {
		return "", err
	}
	for _, d := range devices {
		if len(d.CertSHA256) > 0 {
			return d.ID, nil
		}
	}
	return "", withHint(lan.ErrNotPaired, "pair with capturectl join first")
}
