package main

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bulkSQL inserts n releases with a track each, and edits n/2 of them.
func bulkSQL(prefix string, n int) string {
	var b strings.Builder
	b.WriteString("BEGIN;")
	for i := range n {
		fmt.Fprintf(&b, "INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('%[1]s%[2]d', 'https://x/%[1]s%[2]d', 'T%[2]d', 'd', 'd');", prefix, i)
		fmt.Fprintf(&b, "INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('%[1]st%[2]d', '%[1]s%[2]d', 'One', 1);", prefix, i)
	}
	for i := 0; i < n; i += 2 {
		fmt.Fprintf(&b, "UPDATE discovery_releases SET notes = 'n%[2]d' WHERE id = '%[1]s%[2]d';", prefix, i)
	}
	b.WriteString("COMMIT;")
	return b.String()
}

// TestRoundsSurviveKills: the server is killed with SIGKILL in the middle
// of rounds, at random points, and restarted; then the client is killed in
// the middle of rounds. The rounds after complete, and the desktop and the
// phone end identical: nothing lost, nothing applied twice.
func TestRoundsSurviveKills(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	dir := t.TempDir()
	ok(t, dir, "init", "--db", "desktop.db", "--profile", "desktop")
	ok(t, dir, "init", "--db", "phone.db", "--profile", "mobile")
	s, code := startServe(t, dir, "desktop.db")
	ok(t, dir, "join", "--db", "phone.db", "--code", code, "--addr", s.addr)
	kill := func(cmd *exec.Cmd) {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	round, cut := 0, 0
	edit := func() {
		round++
		editDB(t, dir, "desktop.db", bulkSQL(fmt.Sprintf("d%d-", round), 300))
		editDB(t, dir, "phone.db", bulkSQL(fmt.Sprintf("p%d-", round), 300))
	}
	// The server killed mid-round, ten times.
	for range 10 {
		edit()
		sync := exec.Command(binary, "sync", "--db", "phone.db", "--addr", s.addr)
		sync.Dir = dir
		if err := sync.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		kill(s.cmd)
		if sync.Wait() != nil { // or it finished before the kill
			cut++
		}
		s = restartServe(t, dir, s.addr)
	}
	// The client killed mid-round, ten times.
	for range 10 {
		edit()
		sync := exec.Command(binary, "sync", "--db", "phone.db", "--addr", s.addr)
		sync.Dir = dir
		if err := sync.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		kill(sync)
	}
	t.Logf("%d of 10 rounds cut by the server's kill", cut)
	for range 3 {
		ok(t, dir, "sync", "--db", "phone.db", "--addr", s.addr)
	}
	checkSameState(t, dir, "desktop.db", "phone.db")
	for _, db := range []string{"desktop.db", "phone.db"} {
		out := ok(t, dir, "status", "--db", db, "--json")
		if !strings.Contains(out, `"parked": []`) {
			t.Errorf("%s: values parked after the rounds:\n%s", db, out)
		}
	}
}

// restartServe starts serve again on the same address, retrying while the
// port is still held.
func restartServe(t *testing.T, dir, addr string) *server {
	t.Helper()
	for attempt := 0; ; attempt++ {
		s := launchServe(t, dir, "--db", "desktop.db", "--listen", addr)
		select {
		case l, ok := <-s.lines:
			if ok && strings.HasPrefix(l, "listening on ") {
				s.addr = addr
				return s
			}
		case <-time.After(20 * time.Second):
		}
		s.cmd.Process.Kill()
		s.cmd.Wait()
		if attempt >= 20 {
			t.Fatalf("serve did not start again on %s", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
