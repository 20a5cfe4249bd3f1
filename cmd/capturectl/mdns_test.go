package main

import (
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/capture-sync/capture/internal/netnstest"
)

// reAdvertising is the line serve --mdns prints once it advertises.
var reAdvertising = regexp.MustCompile(`^advertising (.*) \(([0-9a-f]{16})\) by mDNS as _capture-sync\._tcp$`)

// startMDNSServe starts serve --pair --mdns on a loopback port, and reads
// its address, node id and first code.
func startMDNSServe(t *testing.T, dir, db, name string) (s *server, node, code string) {
	t.Helper()
	s = launchServe(t, dir, "--db", db, "--listen", "127.0.0.1:0", "--pair", "--mdns", "--name", name)
	first := s.next(t)
	var ok bool
	if s.addr, ok = strings.CutPrefix(first, "listening on "); !ok {
		t.Fatalf("first line %q", first)
	}
	l := s.next(t)
	m := reAdvertising.FindStringSubmatch(l)
	if m == nil || m[1] != name {
		t.Fatalf("second line %q", l)
	}
	return s, m[2], s.code(t)
}

// TestMDNS: a desktop serves with --mdns; discover lists it; a phone joins
// it with --mdns and syncs with --mdns, through real processes, and both
// end identical. With a second desktop advertising, join --mdns asks for
// --addr and sync --mdns still finds the paired one; with none, both say
// so. All of it in a network namespace of its own: no multicast leaves the
// machine.
func TestMDNS(t *testing.T) {
	if !netnstest.Enter(t, envBinary+"="+binary) {
		return
	}
	dir := t.TempDir()
	for db, profile := range map[string]string{"desktop.db": "desktop", "other.db": "desktop", "phone.db": "mobile", "phone2.db": "mobile"} {
		ok(t, dir, "init", "--db", db, "--profile", profile)
	}
	editDB(t, dir, "desktop.db", releasesSQL)

	if out := ok(t, dir, "discover", "--timeout", "500ms"); out != "no desktop answered within 500ms\n" {
		t.Errorf("discover with none: %q", out)
	}
	s, node, code := startMDNSServe(t, dir, "desktop.db", "desk")
	var found []desktopJSON
	okJSON(t, dir, &found, "discover", "--json", "--timeout", "1s")
	want := desktopJSON{NodeID: node, Name: "desk", Profile: "desktop", Protocol: 1, Addrs: []string{s.addr}}
	if len(found) != 1 || found[0].NodeID != want.NodeID || found[0].Name != want.Name || found[0].Profile != want.Profile ||
		found[0].Protocol != want.Protocol || strings.Join(found[0].Addrs, " ") != s.addr {
		t.Errorf("discover --json: %+v, want [%+v]", found, want)
	}
	if out := ok(t, dir, "discover", "--timeout", "1s"); !strings.Contains(out, "desk  "+node+"  desktop  1         "+s.addr) {
		t.Errorf("discover:\n%s", out)
	}

	// join --mdns pairs with the one desktop advertising.
	r := ctl(t, dir, "join", "--db", "phone.db", "--code", code, "--mdns", "--name", "phone")
	if r.code != 0 || !strings.Contains(r.stdout, "paired with desk ("+node+", linux) at "+s.addr) ||
		!strings.Contains(r.stderr, "found desk ("+node+") by mDNS at "+s.addr) {
		t.Fatalf("join --mdns: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if l := s.next(t); !strings.HasPrefix(l, "paired phone") {
		t.Errorf("serve after the pairing: %q", l)
	}
	code = s.code(t)

	// sync --mdns finds the paired desktop by its node id.
	editDB(t, dir, "phone.db", `INSERT INTO tag_categories (id, name) VALUES ('c9', 'From the phone')`)
	for range 2 {
		if r := ctl(t, dir, "sync", "--db", "phone.db", "--mdns"); r.code != 0 || !strings.Contains(r.stdout, "synced with "+node) {
			t.Fatalf("sync --mdns: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	}
	checkSameState(t, dir, "desktop.db", "phone.db")

	// With a second desktop advertising, join --mdns asks for --addr;
	// sync --mdns still finds the paired one.
	other, otherNode, _ := startMDNSServe(t, dir, "other.db", "other")
	r = ctl(t, dir, "join", "--db", "phone2.db", "--code", code, "--mdns")
	if r.code != 1 || !strings.Contains(r.stderr, "2 desktops answered") || !strings.Contains(r.stderr, otherNode) ||
		!strings.Contains(r.stderr, other.addr) || !strings.Contains(r.stderr, "hint: choose one with --addr") {
		t.Errorf("join --mdns with two desktops: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	ok(t, dir, "sync", "--db", "phone.db", "--mdns")

	// Bad command lines.
	for _, args := range [][]string{
		{"join", "--db", "phone2.db", "--code", code, "--mdns", "--addr", s.addr},
		{"join", "--db", "phone2.db", "--code", code},
		{"sync", "--db", "phone.db", "--mdns", "--addr", s.addr},
		{"discover", "--timeout", "0s"},
	} {
		if r := ctl(t, dir, args...); r.code != 2 {
			t.Errorf("%s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
	}

	// The paired desktop gone, sync --mdns says it is not found.
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range s.lines {
	}
	if err := s.cmd.Wait(); err != nil {
		t.Errorf("serve --mdns after SIGTERM: %v", err)
	}
	r = ctl(t, dir, "sync", "--db", "phone.db", "--mdns")
	if r.code != 1 || !strings.Contains(r.stderr, "no desktop answered on mDNS") || !strings.Contains(r.stderr, "not "+node) {
		t.Errorf("sync --mdns with the desktop gone: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
