package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
)

// TestEditsWhileSyncing is the end-to-end check of the network service:
// serve runs on loopback, two phones pair by its codes, and all three
// databases are edited while the phones sync, at once: the desktop through
// Debian's sqlite3 shell beside the serving process, one phone through an
// engine held open in this process, the other through the shell. Once the
// edits stop, two more rounds each leave all three with the same synced
// tables and registers.
func TestEditsWhileSyncing(t *testing.T) {
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("Debian's sqlite3 shell is not installed (apt-get install sqlite3; CI installs it): this test edits through it")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	dir := t.TempDir()
	ok(t, dir, "init", "--db", "desktop.db", "--profile", "desktop")
	ok(t, dir, "init", "--db", "phone1.db", "--profile", "mobile")
	ok(t, dir, "init", "--db", "phone2.db", "--profile", "mobile")
	shell(t, sqlite3, dir, "desktop.db", releasesSQL, false)
	s, code := startServe(t, dir, "desktop.db")
	ok(t, dir, "join", "--db", "phone1.db", "--code", code, "--addr", s.addr, "--name", "phone one")
	code = s.code(t)
	ok(t, dir, "join", "--db", "phone2.db", "--code", code, "--addr", s.addr, "--name", "phone two")
	phone1, err := capture.Open(context.Background(), filepath.Join(dir, "phone1.db"), capture.Options{Profile: schema.Mobile})
	if err != nil {
		t.Fatal(err)
	}
	defer phone1.Close()

	// edits returns SQL for round i of device dev: a release of its own
	// with a track, and edits of releases that any device may have made
	// (those it does not hold yet change nothing).
	edits := func(rng *rand.Rand, dev string, i int) string {
		sql := fmt.Sprintf(`BEGIN;
			INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('%[1]s-%[2]d', 'https://x/%[1]s-%[2]d', 'T', 'd', 'd');
			INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('%[1]s-%[2]d-t', '%[1]s-%[2]d', 'One', 1);
			UPDATE discovery_releases SET notes = '%[1]s round %[2]d' WHERE id = 'r1';`, dev, i)
		for range 3 {
			other := []string{"desk", "p1", "p2"}[rng.IntN(3)]
			sql += fmt.Sprintf(`UPDATE discovery_releases SET title = '%s wrote round %d' WHERE id = '%s-%d';`, dev, i, other, rng.IntN(i+1))
		}
		return sql + "COMMIT;"
	}
	const rounds = 6
	var wg sync.WaitGroup
	errs := make(chan error, 4*rounds+2)
	// In the goroutines, failures go to errs (t.Fatal stops only the
	// test's own goroutine).
	sync1 := func(db string) {
		if r := ctl(t, dir, "sync", "--db", db); r.code != 0 {
			errs <- fmt.Errorf("sync %s: exit %d: %s", db, r.code, r.stderr)
		}
		// Every round's apply leaves the phone's tables as its sync state
		// says (the desktop's are checked at the end: it serves).
		if r := ctl(t, dir, "verify", "--db", db); r.code != 0 {
			errs <- fmt.Errorf("verify %s: exit %d: %s%s", db, r.code, r.stdout, r.stderr)
		}
	}
	edit := func(db, sql string) {
		cmd := exec.Command(sqlite3, "-bail", "-batch", "-cmd", ".timeout 10000", db, "PRAGMA foreign_keys = ON; "+sql)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			errs <- fmt.Errorf("sqlite3 %s: %v: %s", db, err, out)
		}
	}
	wg.Go(func() {
		rng := rand.New(rand.NewPCG(seed, 1))
		for i := range rounds {
			edit("desktop.db", edits(rng, "desk", i))
			time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
		}
	})
	wg.Go(func() {
		rng := rand.New(rand.NewPCG(seed, 2))
		for i := range rounds {
			if err := phone1.Conn().Exec(edits(rng, "p1", i)); err != nil {
				errs <- fmt.Errorf("phone one, round %d: %w", i, err)
				return
			}
			if i > 1 {
				// A delete through the engine cascades to the track.
				if err := phone1.Conn().Exec(fmt.Sprintf(`DELETE FROM discovery_releases WHERE id = 'p1-%d'`, rng.IntN(i-1))); err != nil {
					errs <- fmt.Errorf("phone one, round %d: %w", i, err)
					return
				}
			}
			sync1("phone1.db")
		}
	})
	wg.Go(func() {
		rng := rand.New(rand.NewPCG(seed, 3))
		for i := range rounds {
			edit("phone2.db", edits(rng, "p2", i))
			sync1("phone2.db")
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for range 2 {
		ok(t, dir, "sync", "--db", "phone1.db")
		ok(t, dir, "sync", "--db", "phone2.db")
	}
	for _, db := range []string{"desktop.db", "phone1.db", "phone2.db"} {
		ok(t, dir, "verify", "--db", db)
	}
	checkSameState(t, dir, "desktop.db", "phone1.db")
	checkSameState(t, dir, "desktop.db", "phone2.db")
	got := shell(t, sqlite3, dir, "desktop.db", `SELECT count(*) FROM discovery_releases WHERE id LIKE 'p2-%';`, true)
	if got != fmt.Sprintf("%d\n", rounds) {
		t.Errorf("the desktop holds %s of phone two's %d releases", got, rounds)
	}
}
