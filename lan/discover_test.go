package lan

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/mdns"

	"github.com/capture-sync/capture/internal/netnstest"
	"github.com/capture-sync/capture/schema"
)

// TestDiscoverInNamespace: desktops advertised by mDNS are found with what
// their TXT records say, one per node id; foreign and malformed
// advertisements are ignored; a stopped advertisement is found no more.
// It runs in a network namespace of its own: no multicast leaves the
// machine.
func TestDiscoverInNamespace(t *testing.T) {
	if !netnstest.Enter(t) {
		return
	}
	ctx := context.Background()
	lo := netnstest.Loopback(t)
	quick := DiscoverOptions{Timeout: 500 * time.Millisecond, Interface: lo}

	// Nothing advertised: nothing found.
	if found, err := Discover(ctx, quick); err != nil || len(found) != 0 {
		t.Fatalf("before any advertisement: %v, %v", found, err)
	}
	if _, err := FindDesktop(ctx, "", quick); !errors.Is(err, ErrNoDesktop) {
		t.Errorf("FindDesktop with none: %v", err)
	}

	loopback := []net.IP{net.IPv4(127, 0, 0, 1)}
	stopA := advertise(t, Advertisement{NodeID: "00000000000000aa", Name: "Desk A", Profile: schema.Desktop, Port: 7310,
		IPs: loopback, Interface: lo})
	// B answers on the default multicast interface, at the loopback's
	// addresses, with a name that needs escaping.
	stopB := advertise(t, Advertisement{NodeID: "00000000000000bb", Name: `Café \ "B"`, Profile: schema.Desktop, Port: 7311})
	// Advertisements that are not a desktop's of this protocol.
	foreign(t, "capture-0000000000000002", 7312, encodeTXT(txtInfo{NodeID: "0000000000000002", Name: "v2", Profile: schema.Desktop, Protocol: Protocol + 1}))
	foreign(t, "capture-junk", 7313, []string{"node=bad id!", "profile=desktop", "protocol=1"})
	foreign(t, "capture-nothing", 7314, []string{"hello"})

	wantA := Desktop{NodeID: "00000000000000aa", Name: "Desk A", Profile: schema.Desktop, Protocol: Protocol, Addrs: []string{"127.0.0.1:7310"}}
	wantB := Desktop{NodeID: "00000000000000bb", Name: `Café \ "B"`, Profile: schema.Desktop, Protocol: Protocol, Addrs: []string{"127.0.0.1:7311", "[::1]:7311"}}
	// Found by name: "Café" before "Desk A".
	for _, opts := range []DiscoverOptions{quick, {Timeout: 500 * time.Millisecond}} {
		found, err := Discover(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		if want := []Desktop{wantB, wantA}; !reflect.DeepEqual(found, want) {
			t.Errorf("interface %v: found\n%+v\nwant\n%+v", opts.Interface != nil, found, want)
		}
	}
	if d, err := FindDesktop(ctx, wantB.NodeID, quick); err != nil || !reflect.DeepEqual(d, wantB) {
		t.Errorf("FindDesktop(B): %+v, %v", d, err)
	}
	if _, err := FindDesktop(ctx, "00000000000000cc", quick); !errors.Is(err, ErrNoDesktop) {
		t.Errorf("FindDesktop of an absent desktop: %v", err)
	}
	var several *AmbiguousError
	if _, err := FindDesktop(ctx, "", quick); !errors.As(err, &several) || len(several.Desktops) != 2 ||
		!strings.Contains(err.Error(), "127.0.0.1:7311") {
		t.Errorf("FindDesktop with two: %v", err)
	}

	// Stopped, B is no longer found; stopping twice is harmless.
	if err := stopB(); err != nil {
		t.Fatal(err)
	}
	if err := stopB(); err != nil {
		t.Errorf("stop again: %v", err)
	}
	if d, err := FindDesktop(ctx, "", quick); err != nil || d.NodeID != wantA.NodeID {
		t.Errorf("after B stopped: %+v, %v", d, err)
	}

	// An advertisement ends with its context.
	actx, cancel := context.WithCancel(ctx)
	if _, err := Advertise(actx, Advertisement{NodeID: "00000000000000dd", Name: "D", Profile: schema.Desktop, Port: 7315, IPs: loopback}); err != nil {
		t.Fatal(err)
	}
	if _, err := FindDesktop(ctx, "00000000000000dd", quick); err != nil {
		t.Errorf("D: %v", err)
	}
	cancel()
	time.Sleep(100 * time.Millisecond)
	if _, err := FindDesktop(ctx, "00000000000000dd", quick); !errors.Is(err, ErrNoDesktop) {
		t.Errorf("D after its context ended: %v", err)
	}
	stopA()
	if found, err := Discover(ctx, quick); err != nil || len(found) != 0 {
		t.Errorf("after every advertisement stopped: %v, %v", found, err)
	}

	// A done context cuts Discover short.
	dctx, cancel := context.WithCancel(ctx)
	cancel()
	start := time.Now()
	if _, err := Discover(dctx, DiscoverOptions{Timeout: 5 * time.Second}); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled Discover: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("a cancelled Discover took %s", d)
	}
}

// advertise calls Advertise, and stops the advertisement when the test
// ends.
func advertise(t *testing.T, a Advertisement) func() error {
	t.Helper()
	stop, err := Advertise(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	return stop
}

// foreign advertises a service of ServiceType on loopback with any TXT
// record, as someone else on the network could.
func foreign(t *testing.T, instance string, port int, txt []string) {
	t.Helper()
	zone, err := mdns.NewMDNSService(instance, ServiceType, "local.", instance+".local.", port, []net.IP{net.IPv4(127, 0, 0, 1)}, txt)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mdns.NewServer(&mdns.Config{Zone: zone, Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown() })
}

// TestAdvertiseRefuses: an advertisement that would not parse on the other
// side is refused before any socket opens.
func TestAdvertiseRefuses(t *testing.T) {
	ok := Advertisement{NodeID: "0123456789abcdef", Name: "desk", Profile: schema.Desktop, Port: 7310}
	for _, tc := range []struct {
		name string
		edit func(*Advertisement)
	}{
		{"no node id", func(a *Advertisement) { a.NodeID = "" }},
		{"a node id with a dot", func(a *Advertisement) { a.NodeID = "a.b" }},
		{"a long node id", func(a *Advertisement) { a.NodeID = strings.Repeat("a", maxNodeIDLen+1) }},
		{"a name with a control character", func(a *Advertisement) { a.Name = "desk\n" }},
		{"a name not UTF-8", func(a *Advertisement) { a.Name = "\xff" }},
		{"a long name", func(a *Advertisement) { a.Name = strings.Repeat("é", MaxNameLen) }},
		{"no profile", func(a *Advertisement) { a.Profile = "" }},
		{"no port", func(a *Advertisement) { a.Port = 0 }},
		{"a port too high", func(a *Advertisement) { a.Port = 65536 }},
	} {
		a := ok
		tc.edit(&a)
		if stop, err := Advertise(context.Background(), a); err == nil {
			stop()
			t.Errorf("%s: advertised", tc.name)
		} else if !strings.HasPrefix(err.Error(), "lan: advertise") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestDesktopOf: answers without a usable port or address are ignored;
// IPv4 comes first; one node id's answers merge.
func TestDesktopOf(t *testing.T) {
	txt := encodeTXT(txtInfo{NodeID: "0123456789abcdef", Name: "desk", Profile: schema.Desktop, Protocol: Protocol})
	v4, v6 := net.IPv4(192, 168, 1, 20), net.ParseIP("fe80::1")
	for _, tc := range []struct {
		name string
		e    mdns.ServiceEntry
		want []string // nil: ignored
	}{
		{"v4", mdns.ServiceEntry{Port: 7310, AddrV4: v4, InfoFields: txt}, []string{"192.168.1.20:7310"}},
		{"v4 and v6", mdns.ServiceEntry{Port: 7310, AddrV4: v4, AddrV6IPAddr: &net.IPAddr{IP: v6, Zone: "eth0"}, InfoFields: txt},
			[]string{"192.168.1.20:7310", "[fe80::1%eth0]:7310"}},
		{"no port", mdns.ServiceEntry{AddrV4: v4, InfoFields: txt}, nil},
		{"a port too high", mdns.ServiceEntry{Port: 70000, AddrV4: v4, InfoFields: txt}, nil},
		{"no address", mdns.ServiceEntry{Port: 7310, InfoFields: txt}, nil},
		{"a multicast address", mdns.ServiceEntry{Port: 7310, AddrV4: net.IPv4(224, 0, 0, 251), InfoFields: txt}, nil},
		{"the broadcast address", mdns.ServiceEntry{Port: 7310, AddrV4: net.IPv4bcast, InfoFields: txt}, nil},
		{"an unspecified v6 address", mdns.ServiceEntry{Port: 7310, AddrV6IPAddr: &net.IPAddr{IP: net.IPv6zero}, InfoFields: txt}, nil},
		{"a short v6 address", mdns.ServiceEntry{Port: 7310, AddrV6IPAddr: &net.IPAddr{IP: net.IP{1, 2}}, InfoFields: txt}, nil},
		{"no TXT", mdns.ServiceEntry{Port: 7310, AddrV4: v4}, nil},
	} {
		d, err := desktopOf(&tc.e)
		if (err == nil) != (tc.want != nil) || !reflect.DeepEqual(d.Addrs, tc.want) {
			t.Errorf("%s: %+v, %v; want %v", tc.name, d, err, tc.want)
		}
	}
	got := merge([]Desktop{
		{NodeID: "b", Name: "same", Addrs: []string{"[fe80::2]:1", "10.0.0.2:1"}},
		{NodeID: "a", Name: "same", Addrs: []string{"10.0.0.1:1"}},
		{NodeID: "b", Name: "other name", Addrs: []string{"10.0.0.2:1", "10.0.0.3:1"}},
	})
	want := []Desktop{
		{NodeID: "a", Name: "same", Addrs: []string{"10.0.0.1:1"}},
		{NodeID: "b", Name: "same", Addrs: []string{"10.0.0.2:1", "10.0.0.3:1", "[fe80::2]:1"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merge:\n%+v\nwant\n%+v", got, want)
	}
}
