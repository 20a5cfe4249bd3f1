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
	f := newFlags(e, "serve", "--db PATH [--listen ADDR] [--pair] [--mdns] [--name NAME]",
		"capturectl serve --db ./desktop.db --listen 0.0.0.0:7310 --pair --mdns")
	listen := f.String("listen", ":7310", "`address` to listen on (host:port; port 0 picks one)")
	pair := f.Bool("pair", false, "show a pairing code, and a new one after each device that pairs")
	mdns := f.Bool("mdns", false, "advertise the service on the local network by mDNS (DNS-SD "+lan.ServiceType+"), for join --mdns and sync --mdns")
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
	defer s.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	fmt.Fprintf(e.stdout, "listening on %s\n", ln.Addr())
	if *mdns {
		stopAdvertising, err := advertise(ctx, e, eng, *name, ln.Addr())
		if err != nil {
			ln.Close()
			return err
		}
		defer stopAdvertising()
	}
	if *pair {
		newCode()
	}
	return s.Serve(ctx, ln)
}

// advertise advertises the service listening at addr by mDNS: at the
// listener's address if it has one, else at those of the interface the
// system sends multicast through.
func advertise(ctx context.Context, e *env, eng *capture.Engine, name string, addr net.Addr) (func() error, error) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return nil, fmt.Errorf("advertise: %s is not a TCP address", addr)
	}
	a := lan.Advertisement{NodeID: eng.NodeID(), Name: name, Profile: eng.Profile(), Port: tcp.Port, Log: e.log}
	if !tcp.IP.IsUnspecified() {
		a.IPs = []net.IP{tcp.IP}
	}
	stop, err := lan.Advertise(ctx, a)
	if err != nil {
		return nil, withHint(err, "serve without --mdns: phones can still join and sync with --addr")
	}
	fmt.Fprintf(e.stdout, "advertising %s (%s) by mDNS as %s\n", escapeControl(name), eng.NodeID(), lan.ServiceType)
	return stop, nil
}
