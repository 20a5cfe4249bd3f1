package main

import (
	"bufio"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// server is a running capturectl serve.
type server struct {
	cmd   *exec.Cmd
	addr  string
	lines chan string
}

// launchServe starts capturectl serve with args, and passes its standard
// output on, line by line; the process is killed when the test ends.
func launchServe(t *testing.T, dir string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, lines: make(chan string, 16)}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	return s
}

// startServe starts capturectl serve --pair on a loopback port, and reads
// its address and first code.
func startServe(t *testing.T, dir, db string) (*server, string) {
	t.Helper()
	s := launchServe(t, dir, "--db", db, "--listen", "127.0.0.1:0", "--pair", "--name", "desk")
	first := s.next(t)
	var ok bool
	if s.addr, ok = strings.CutPrefix(first, "listening on "); !ok {
		t.Fatalf("first line %q", first)
	}
	return s, s.code(t)
}

func (s *server) next(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-s.lines:
		if !ok {
			t.Fatal("serve stopped")
		}
		return l
	case <-time.After(20 * time.Second):
		t.Fatal("serve printed nothing")
	}
	return ""
}

// code reads lines up to the next pairing code.
func (s *server) code(t *testing.T) string {
	t.Helper()
	for {
		l := s.next(t)
		if c, ok := strings.CutPrefix(l, "pairing code: "); ok {
			return c
		}
	}
}

// TestServeJoinSync: a desktop serves on loopback; two phones pair by the
// codes it prints and sync with it, through real processes; all three end
// identical; serve stops cleanly on SIGTERM.
func TestServeJoinSync(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, "init", "--db", "desktop.db", "--profile", "desktop")
	ok(t, dir, "init", "--db", "phone1.db", "--profile", "mobile")
	ok(t, dir, "init", "--db", "phone2.db", "--profile", "mobile")
	editDB(t, dir, "desktop.db", releasesSQL)
	s, code := startServe(t, dir, "desktop.db")
	out := ok(t, dir, "join", "--db", "phone1.db", "--code", code, "--addr", s.addr, "--name", "phone one", "--platform", "android")
	if !strings.Contains(out, "paired with desk") {
		t.Errorf("join: %s", out)
	}
	if l := s.next(t); !strings.HasPrefix(l, "paired phone one") {
		t.Errorf("serve after the pairing: %q", l)
	}
	code = s.code(t)
	if r := ctl(t, dir, "join", "--db", "phone2.db", "--code", "999999", "--addr", s.addr); r.code == 0 && code != "999999" {
		t.Error("a wrong code paired")
	}
	ok(t, dir, "join", "--db", "phone2.db", "--code", code, "--addr", s.addr)

	editDB(t, dir, "phone1.db", `INSERT INTO tag_categories (id, name) VALUES ('c9', 'From phone one')`)
	editDB(t, dir, "phone2.db", `INSERT INTO tag_categories (id, name) VALUES ('c8', 'From phone two')`)
	for range 2 {
		for _, p := range []string{"phone1.db", "phone2.db"} {
			ok(t, dir, "sync", "--db", p)
		}
	}
	var rep syncReport
	okJSON(t, dir, &rep, "sync", "--db", "phone1.db", "--json")
	if rep.Desktop == "" {
		t.Errorf("sync --json: %+v", rep)
	}
	checkSameState(t, dir, "desktop.db", "phone1.db")
	checkSameState(t, dir, "desktop.db", "phone2.db")

	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range s.lines {
	}
	if err := s.cmd.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
}
