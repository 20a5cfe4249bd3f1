package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/capture-sync/capture/lan"
)

func init() {
	register("join", "pair with a desktop's sync service by the code it shows", runJoin)
}

func runJoin(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "join", "--db PATH --code NNNNNN (--addr HOST:PORT | --mdns) [--name NAME] [--platform P]",
		"capturectl join --db ./mobile.db --code 482913 --addr 192.168.1.20:7310")
	code := f.String("code", "", "the 6-digit `code` the desktop shows (required)")
	addr := f.String("addr", "", "the desktop's `address`, host:port (this or --mdns)")
	byMDNS := f.Bool("mdns", false, "find the desktop on the local network by mDNS (the one advertising; if several, give --addr)")
	host, _ := os.Hostname()
	name := f.String("name", host, "the `name` the desktop sees")
	platform := f.String("platform", runtime.GOOS, "the `platform` the desktop sees")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *code == "" || (*addr == "") == !*byMDNS {
		return usageErr(errors.New("join needs --code, and --addr or --mdns (one of them)"),
			"capturectl join --db ./mobile.db --code 482913 --addr HOST:PORT (or --mdns)")
	}
	eng, err := openEngine(ctx, e, f.db, false)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)
	if *byMDNS {
		d, err := findDesktop(ctx, e, "")
		if err != nil {
			return err
		}
		*addr = d.Addrs[0]
	}
	d, err := lan.Pair(ctx, eng, *addr, *code, lan.ClientOptions{Name: *name, Platform: *platform})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "paired with %s (%s, %s) at %s\n", escapeControl(d.Name), d.ID, escapeControl(d.Platform), d.Address)
	return nil
}
