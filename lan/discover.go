package lan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/mdns"
	"github.com/rs/zerolog"

	"github.com/capture-sync/capture/schema"
)

// DefaultDiscoverTimeout is how long Discover listens for answers unless
// told otherwise.
const DefaultDiscoverTimeout = 2 * time.Second

// maxEntries bounds the service instances one Discover takes in; the
// mDNS client drops those after.
const maxEntries = 64

// Errors of discovery.
var (
	// ErrNoDesktop: no desktop (or not the one looked for) answered.
	ErrNoDesktop = errors.New("lan: no desktop answered on mDNS")
)

// Desktop is a desktop found by Discover: what it advertises, which
// nothing vouches for (see Advertise).
type Desktop struct {
	// NodeID, Name and Profile are what its TXT record says.
	NodeID, Name string
	Profile      schema.Profile
	// Protocol is the version of the protocol it speaks (Protocol: the
	// others are not returned).
	Protocol int
	// Addrs are its addresses, host:port, IPv4 first; never empty.
	Addrs []string
}

// DiscoverOptions configure Discover.
type DiscoverOptions struct {
	// Timeout is how long to listen for answers (DefaultDiscoverTimeout
	// when 0); ctx's deadline, if sooner, cuts it short.
	Timeout time.Duration
	// Interface, if set, is the interface queries go out on; otherwise
	// the system's default multicast interface.
	Interface *net.Interface
	// Log receives the mDNS client's messages and the answers ignored, at
	// debug level; silent by default.
	Log zerolog.Logger
}

// AmbiguousError is FindDesktop's error when several desktops answered and
// none was asked for by node id.
type AmbiguousError struct {
	// Desktops are those that answered.
	Desktops []Desktop
}

func (e *AmbiguousError) Error() string {
	s := make([]string, len(e.Desktops))
	for i, d := range e.Desktops {
		s[i] = fmt.Sprintf("%q (%s) at %s", d.Name, d.NodeID, strings.Join(d.Addrs, ", "))
	}
	return fmt.Sprintf("lan: %d desktops answered on mDNS: %s", len(e.Desktops), strings.Join(s, "; "))
}

// Discover queries the local network for ServiceType over mDNS and
// returns the desktops that answered within the timeout, one per node id
// (with the addresses of all its answers), sorted by name and node id.
// Answers are anyone's: those that are malformed, not of this Protocol or
// without a usable address are ignored, and at most 64 are taken in. It
// blocks for the whole timeout, unless ctx is done first (then it returns
// ctx's error).
func Discover(ctx context.Context, opts DiscoverOptions) ([]Desktop, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("lan: discover: %w", err)
	}
	timeout := discoverTimeout(ctx, opts)
	if timeout <= 0 {
		return nil, fmt.Errorf("lan: discover: %w", context.DeadlineExceeded)
	}
	entries, err := query(ctx, timeout, opts, false)
	if err != nil && ctx.Err() == nil {
		// Where IPv6 multicast has no route the query fails as it
		// starts: ask again over IPv4 alone.
		opts.Log.Debug().Err(err).Msg("mdns: query again over IPv4 alone")
		entries, err = query(ctx, timeout, opts, true)
	}
	if err != nil {
		return nil, fmt.Errorf("lan: discover desktops by mDNS: %w", err)
	}
	var found []Desktop
	for _, e := range entries {
		d, err := desktopOf(e)
		if err != nil {
			opts.Log.Debug().Err(err).Str("instance", fmt.Sprintf("%.100q", e.Name)).Msg("mdns: ignored an answer")
			continue
		}
		found = append(found, d)
	}
	return merge(found), nil
}

// FindDesktop discovers the desktops (Discover) and returns the one whose
// node id is nodeID or, when nodeID is "", the only one. It fails with an
// error wrapping ErrNoDesktop when none (or not that one) answered, and
// with an *AmbiguousError when several did and nodeID is "".
func FindDesktop(ctx context.Context, nodeID string, opts DiscoverOptions) (Desktop, error) {
	within := discoverTimeout(ctx, opts).Round(time.Millisecond)
	found, err := Discover(ctx, opts)
	if err != nil {
		return Desktop{}, err
	}
	if nodeID != "" {
		for _, d := range found {
			if d.NodeID == nodeID {
				return d, nil
			}
		}
		return Desktop{}, fmt.Errorf("%w within %s: not %s (%d other desktops did)", ErrNoDesktop, within, nodeID, len(found))
	}
	switch len(found) {
	case 0:
		return Desktop{}, fmt.Errorf("%w within %s", ErrNoDesktop, within)
	case 1:
		return found[0], nil
	}
	return Desktop{}, &AmbiguousError{Desktops: found}
}

// discoverTimeout is how long Discover listens.
func discoverTimeout(ctx context.Context, opts DiscoverOptions) time.Duration {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultDiscoverTimeout
	}
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	return timeout
}

// query runs one mDNS query for ServiceType and returns the instances
// that answered completely.
func query(ctx context.Context, timeout time.Duration, opts DiscoverOptions, v4only bool) ([]*mdns.ServiceEntry, error) {
	ch := make(chan *mdns.ServiceEntry, maxEntries)
	p := &mdns.QueryParam{
		Service:     ServiceType,
		Domain:      "local",
		Timeout:     timeout,
		Interface:   opts.Interface,
		Entries:     ch,
		DisableIPv6: v4only,
		Logger:      mdnsLogger(opts.Log),
	}
	done := make(chan error, 1)
	go func() {
		err := mdns.QueryContext(ctx, p)
		close(ch)
		done <- err
	}()
	// The client goes on updating the entries it sent until the query is
	// over: they are read only after.
	select {
	case err := <-done:
		if err != nil {
			return nil, err
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var entries []*mdns.ServiceEntry
	for e := range ch {
		entries = append(entries, e)
	}
	return entries, nil
}

// desktopOf reads one answer, from anyone on the network.
func desktopOf(e *mdns.ServiceEntry) (Desktop, error) {
	info, err := parseTXT(e.InfoFields)
	if err != nil {
		return Desktop{}, err
	}
	if e.Port <= 0 || e.Port > 65535 {
		return Desktop{}, fmt.Errorf("lan: %s: port %d", info.NodeID, e.Port)
	}
	port := strconv.Itoa(e.Port)
	var addrs []string
	if ip := e.AddrV4.To4(); ip != nil && usableIP(ip) {
		addrs = append(addrs, net.JoinHostPort(ip.String(), port))
	}
	if a := e.AddrV6IPAddr; a != nil && len(a.IP) == net.IPv6len && a.IP.To4() == nil && usableIP(a.IP) && len(a.Zone) <= 64 {
		host := a.IP.String()
		if a.Zone != "" {
			host += "%" + a.Zone
		}
		addrs = append(addrs, net.JoinHostPort(host, port))
	}
	if len(addrs) == 0 {
		return Desktop{}, fmt.Errorf("lan: %s: no usable address", info.NodeID)
	}
	return Desktop{NodeID: info.NodeID, Name: info.Name, Profile: info.Profile, Protocol: info.Protocol, Addrs: addrs}, nil
}

// usableIP reports whether a desktop may be reached at ip.
func usableIP(ip net.IP) bool {
	return !ip.IsUnspecified() && !ip.IsMulticast() && !ip.Equal(net.IPv4bcast)
}

// merge folds the desktops of one node id into the first, with the
// addresses of all (IPv4 first), and sorts them by name and node id.
func merge(found []Desktop) []Desktop {
	var out []Desktop
	at := map[string]int{}
	for _, d := range found {
		i, ok := at[d.NodeID]
		if !ok {
			at[d.NodeID] = len(out)
			out = append(out, Desktop{NodeID: d.NodeID, Name: d.Name, Profile: d.Profile, Protocol: d.Protocol})
			i = len(out) - 1
		}
		for _, a := range d.Addrs {
			if !slices.Contains(out[i].Addrs, a) {
				out[i].Addrs = append(out[i].Addrs, a)
			}
		}
	}
	for i := range out {
		slices.SortStableFunc(out[i].Addrs, func(a, b string) int { return cmp.Compare(isIPv6(a), isIPv6(b)) })
	}
	slices.SortFunc(out, func(a, b Desktop) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.NodeID, b.NodeID))
	})
	return out
}

// isIPv6 reports whether host:port has an IPv6 host, as 1 (or 0).
func isIPv6(addr string) int {
	if strings.HasPrefix(addr, "[") {
		return 1
	}
	return 0
}
