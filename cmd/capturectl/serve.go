package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/lan"
)

func init() {
	register("serve", "run the desktop's sync service for phones on the local network", runServe)
}

func runServe(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "serve", "--db PATH [--listen ADDR] [--pair] [--name NAME]",
		"capturectl serve --db ./desktop.db --listen 0.0.0.0:7310 --pair")
	listen := f.String("listen", ":7310", "`address` to listen on (host:port; port 0 picks one)")
	pair := f.Bool("pair", false, "show a pairing code, and a new one after each device that pairs")
	host, _ := os.Hostname()
	name := f.String("name", host, "the `name` phones see")
	if _, err := f.parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	eng, err := openEngine(ctx, e, f.db, false)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)
	var s *lan.Server
	newCode := func() {
		code, err := s.NewCode()
		if err != nil {
			fmt.Fprintf(e.stderr, "capturectl serve: no pairing code: %v\n", err)
			return
		}
		fmt.Fprintf(e.stdout, "pairing code: %s\n", code)
	}
	opts := lan.ServerOptions{Name: *name, Platform: runtime.GOOS, Log: e.log}
	if *pair {
		opts.OnPaired = func(d capture.Device) {
			fmt.Fprintf(e.stdout, "paired %s (%s, %s)\n", escapeControl(d.Name), d.ID, escapeControl(d.Platform))
			newCode()
		}
	}
	if s, err = lan.NewServer(ctx, eng, opts); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	fmt.Fprintf(e.stdout, "listening on %s\n", ln.Addr())
	if *pair {
		newCode()
	}
	return s.Serve(ctx, ln)
}
