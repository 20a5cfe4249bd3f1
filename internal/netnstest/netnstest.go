// Package netnstest runs a test inside a network namespace of its own, so
// that what it sends (mDNS multicast above all) never leaves the machine.
//
// A test calls Enter first. Outside the namespace, Enter re-executes the
// test binary for that one test under `unshare --net`, reports the result
// and returns false: the test must return. Inside, Enter checks that the
// namespace is a new one, brings up its loopback interface with multicast
// and a route for 224.0.0.0/4, and returns true: the test body runs there,
// and so do the processes it starts. Where no namespace can be made (not
// Linux, no unshare or ip, no privilege), Enter skips the test.
package netnstest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// envTest names the test the re-executed binary runs inside a namespace;
// envOuter holds the network namespace it was started from, which the
// namespace must not be.
const (
	envTest  = "CAPTURE_NETNS_TEST"
	envOuter = "CAPTURE_NETNS_OUTER"
)

// Timeout bounds the run of the re-executed test.
const Timeout = 5 * time.Minute

// Enter runs the calling top-level test t inside a new network namespace
// whose only interface is loopback, with multicast. It returns true inside
// the namespace, where the test goes on; outside it runs the test there,
// reports its output and result on t, and returns false. env is added to
// the environment of the re-executed binary (KEY=value).
func Enter(t *testing.T, env ...string) bool {
	t.Helper()
	if name := os.Getenv(envTest); name != "" {
		if name != t.Name() {
			t.Skipf("netnstest: this process runs %s in a network namespace", name)
		}
		setUp(t)
		return true
	}
	if strings.Contains(t.Name(), "/") {
		t.Fatal("netnstest: Enter works for top-level tests only")
	}
	unshare := usable(t)
	outer, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Skipf("netnstest: no network namespace test: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	args := append(unshare, os.Args[0], "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.v", "-test.count=1",
		fmt.Sprintf("-test.timeout=%s", Timeout))
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(append(os.Environ(), envTest+"="+t.Name(), envOuter+"="+outer), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Logf("in a network namespace (%s):\n%s", strings.Join(unshare, " "), indent(out.String()))
	switch {
	case err != nil:
		t.Errorf("%s in a network namespace: %v", t.Name(), err)
	case strings.Contains(out.String(), "--- SKIP: "+t.Name()):
		t.Skipf("%s skipped in the network namespace", t.Name())
	case !strings.Contains(out.String(), "--- PASS: "+t.Name()):
		t.Errorf("%s in a network namespace: no PASS line", t.Name())
	}
	return false
}

// usable returns the unshare command line that makes a network namespace
// here, or skips t when there is none.
func usable(t *testing.T) []string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skipf("netnstest: network namespaces need Linux (this is %s): not run, so as to send no multicast off the machine", runtime.GOOS)
	}
	for _, tool := range []string{"unshare", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("netnstest: no %s (util-linux, iproute2): no network namespace, so not run, so as to send no multicast off the machine", tool)
		}
	}
	var tried []string
	for _, cmd := range [][]string{{"unshare", "--net"}, {"unshare", "--user", "--map-root-user", "--net"}} {
		out, err := exec.Command(cmd[0], append(cmd[1:], "ip", "link", "set", "lo", "up")...).CombinedOutput()
		if err == nil {
			return cmd
		}
		tried = append(tried, fmt.Sprintf("%s: %v %s", strings.Join(cmd, " "), err, bytes.TrimSpace(out)))
	}
	t.Skipf("netnstest: cannot make a network namespace (run as root, or allow user namespaces): not run, so as to send no multicast off the machine; %s",
		strings.Join(tried, "; "))
	return nil
}

// setUp checks that this process is in a new network namespace with
// nothing but loopback, then brings loopback up with multicast routed
// through it.
func setUp(t *testing.T) {
	t.Helper()
	here, err := os.Readlink("/proc/self/ns/net")
	if outer := os.Getenv(envOuter); err != nil || here == "" || outer == "" || here == outer {
		t.Fatalf("netnstest: not in a network namespace of its own (%q, started from %q, %v): refusing to run", here, os.Getenv(envOuter), err)
	}
	ifaces, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ifaces {
		if i.Flags&net.FlagLoopback == 0 {
			t.Fatalf("netnstest: the namespace has interface %s besides loopback: refusing to run", i.Name)
		}
	}
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "set", "lo", "multicast", "on"},
		{"route", "replace", "224.0.0.0/4", "dev", "lo"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("netnstest: ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// Loopback returns the loopback interface, inside the namespace.
func Loopback(t *testing.T) *net.Interface {
	t.Helper()
	ifaces, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ifaces {
		if i.Flags&net.FlagLoopback != 0 {
			return &i
		}
	}
	t.Fatal("netnstest: no loopback interface")
	return nil
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
