package lan

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"

	"github.com/hashicorp/mdns"
	"github.com/rs/zerolog"

	"github.com/capture-sync/capture/schema"
)

// ServiceType is the DNS-SD service type under which a desktop advertises
// its Server over mDNS, in the domain "local".
const ServiceType = "_capture-sync._tcp"

// Advertisement is what Advertise announces of a desktop.
type Advertisement struct {
	// NodeID is the desktop's node id (capture.Engine.NodeID): required.
	NodeID string
	// Name is the name people see (ServerOptions.Name): at most
	// MaxNameLen bytes of UTF-8, without control characters.
	Name string
	// Profile is the database's profile (capture.Engine.Profile).
	Profile schema.Profile
	// Port is the TCP port the Server listens on: required.
	Port int
	// IPs are the addresses advertised. When empty: the addresses of
	// Interface if set, or else of the interface the system sends
	// multicast through (when the system does not tell, of every
	// interface up with multicast; of loopback only if there is no other).
	IPs []net.IP
	// Interface, if set, is the interface whose queries are answered;
	// otherwise the system's default multicast interface.
	Interface *net.Interface
	// Log receives the mDNS responder's messages at debug level; silent
	// by default.
	Log zerolog.Logger
}

// Advertise answers DNS-SD queries for ServiceType over mDNS (multicast
// on the local network) with a, under the instance name
// "capture-<node id>", until stop is called or ctx is done. The TXT record
// holds the node id, the name, the profile and Protocol; SRV and A/AAAA
// records give the port and the addresses. Nothing is sent unless a query
// comes.
//
// Discovery only finds the desktop: anyone can advertise anything, so a
// phone pairs by code and syncs over the pinned certificate whatever the
// advertisement says (docs/lan.md, "Discovery"). stop may be called more
// than once; it returns once the responder's sockets are closed.
func Advertise(ctx context.Context, a Advertisement) (stop func() error, err error) {
	if !validNodeID(a.NodeID) {
		return nil, fmt.Errorf("lan: advertise: node id %q: want 1 to %d letters, digits, '-' or '_'", a.NodeID, maxNodeIDLen)
	}
	if !validName(a.Name) {
		return nil, fmt.Errorf("lan: advertise: name %q: want at most %d bytes of UTF-8 without control characters", a.Name, MaxNameLen)
	}
	if _, err := schema.ParseProfile(string(a.Profile)); err != nil {
		return nil, fmt.Errorf("lan: advertise: %w", err)
	}
	if a.Port <= 0 || a.Port > 65535 {
		return nil, fmt.Errorf("lan: advertise: port %d: want 1 to 65535", a.Port)
	}
	ips := a.IPs
	if len(ips) == 0 {
		if ips, err = defaultIPs(a.Interface); err != nil {
			return nil, fmt.Errorf("lan: advertise: %w", err)
		}
	}
	instance := "capture-" + a.NodeID
	txt := encodeTXT(txtInfo{NodeID: a.NodeID, Name: a.Name, Profile: a.Profile, Protocol: Protocol})
	// The host name is the device's own, so that its A/AAAA records
	// conflict with no other host's.
	zone, err := mdns.NewMDNSService(instance, ServiceType, "local.", instance+".local.", a.Port, ips, txt)
	if err != nil {
		return nil, fmt.Errorf("lan: advertise %s: %w", a.NodeID, err)
	}
	srv, err := mdns.NewServer(&mdns.Config{Zone: zone, Iface: a.Interface, Logger: mdnsLogger(a.Log)})
	if err != nil {
		return nil, fmt.Errorf("lan: advertise %s on mDNS: %w", a.NodeID, err)
	}
	a.Log.Debug().Str("instance", instance).Int("port", a.Port).Stringer("ips", ipList(ips)).Msg("advertising on mDNS")
	var once sync.Once
	var stopErr error
	done := make(chan struct{})
	stop = func() error {
		once.Do(func() {
			stopErr = srv.Shutdown()
			close(done)
		})
		return stopErr
	}
	go func() {
		select {
		case <-ctx.Done():
			stop()
		case <-done:
		}
	}()
	return stop, nil
}

// defaultIPs returns the addresses of iface or, when nil, of the interface
// the system sends multicast through (or, when that is not known, of every
// interface up with multicast, loopback only when there is no other).
func defaultIPs(iface *net.Interface) ([]net.IP, error) {
	if iface != nil {
		return ifaceIPs([]net.Interface{*iface})
	}
	if i, ok := multicastInterface(); ok {
		return ifaceIPs([]net.Interface{*i})
	}
	all, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("the network interfaces: %w", err)
	}
	var up, loopback []net.Interface
	for _, i := range all {
		switch {
		case i.Flags&net.FlagUp == 0 || i.Flags&net.FlagMulticast == 0:
		case i.Flags&net.FlagLoopback != 0:
			loopback = append(loopback, i)
		default:
			up = append(up, i)
		}
	}
	if len(up) == 0 {
		up = loopback
	}
	return ifaceIPs(up)
}

// ifaceIPs returns the addresses of ifaces to advertise, IPv4 first: not
// IPv6's link-local ones, whose zone the other side cannot know.
func ifaceIPs(ifaces []net.Interface) ([]net.IP, error) {
	var v4, v6 []net.IP
	var names []string
	for _, i := range ifaces {
		names = append(names, i.Name)
		addrs, err := i.Addrs()
		if err != nil {
			return nil, fmt.Errorf("the addresses of %s: %w", i.Name, err)
		}
		for _, a := range addrs {
			n, ok := a.(*net.IPNet)
			switch {
			case !ok || n.IP.IsUnspecified() || n.IP.IsMulticast():
			case n.IP.To4() != nil:
				v4 = append(v4, n.IP)
			case !n.IP.IsLinkLocalUnicast():
				v6 = append(v6, n.IP)
			}
		}
	}
	if ips := append(v4, v6...); len(ips) > 0 {
		return ips, nil
	}
	return nil, fmt.Errorf("no address to advertise on the interfaces (%s): give the addresses", strings.Join(names, ", "))
}

// multicastInterface returns the interface the system routes mDNS's
// multicast group through, when its source address tells. It connects a
// UDP socket, which sends nothing.
func multicastInterface() (*net.Interface, bool) {
	c, err := net.Dial("udp4", "224.0.0.251:5353")
	if err != nil {
		return nil, false
	}
	local := c.LocalAddr().(*net.UDPAddr).IP
	c.Close()
	if local.IsUnspecified() {
		return nil, false
	}
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, false
	}
	for i := range ifaces {
		addrs, err := ifaces[i].Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.Equal(local) {
				return &ifaces[i], true
			}
		}
	}
	return nil, false
}

// mdnsLogger is the *log.Logger that github.com/hashicorp/mdns writes to
// (the standard logger unless given one): l at debug level, or nothing.
func mdnsLogger(l zerolog.Logger) *log.Logger {
	ev := l.Debug()
	if ev == nil {
		return log.New(io.Discard, "", 0)
	}
	ev.Discard()
	return log.New(logWriter{l}, "", 0)
}

// logWriter writes each line to a zerolog logger at debug level.
type logWriter struct{ l zerolog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	const max = 1 << 10 // the lines may quote what came from the network
	msg := strings.TrimSpace(string(p[:min(len(p), max)]))
	w.l.Debug().Str("from", "mdns").Msg(msg)
	return len(p), nil
}

// ipList prints addresses for the log.
type ipList []net.IP

func (l ipList) String() string {
	s := make([]string, len(l))
	for i, ip := range l {
		s[i] = ip.String()
	}
	return strings.Join(s, ",")
}
