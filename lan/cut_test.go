package lan

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// cutProxy forwards connections to target and cuts each one after limit
// bytes, in whichever direction reaches it first.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	limit  int64 // 0: no cut
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
	return p
}

func (p *cutProxy) setLimit(n int64) {
	p.mu.Lock()
	p.limit = n
	p.mu.Unlock()
}

func (p *cutProxy) forward(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	p.mu.Lock()
	limit := p.limit
	p.mu.Unlock()
	var mu sync.Mutex
	total := int64(0)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		defer func() { done <- struct{}{} }()
		buf := make([]byte, 4096)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				mu.Lock()
				if limit > 0 && total+int64(n) > limit {
					n = int(max(0, limit-total))
					total = limit
					mu.Unlock()
					dst.Write(buf[:n])
					c.Close()
					s.Close()
					return
				}
				total += int64(n)
				mu.Unlock()
				if _, err := dst.Write(buf[:n]); err != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	go pipe(s, c)
	go pipe(c, s)
	<-done
}

// TestRoundsSurviveCutConnections: rounds whose connection is cut after a
// random number of bytes, either way, fail; the rounds after complete, and
// the desktop and the phone end identical.
func TestRoundsSurviveCutConnections(t *testing.T) {
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	dir := t.TempDir()
	desk, err := capture.Open(ctx, filepath.Join(dir, "desktop.db"), capture.Options{Profile: schema.Desktop})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { desk.Close() })
	phone := open(t, "phone.db", schema.Mobile)
	s, addr := serve(t, desk)
	// The app writes through a connection of its own, as the server may
	// still be at work on a round the proxy cut.
	app, err := sqlite3.Open(filepath.Join(dir, "desktop.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	sqlitetest.Exec(t, app, `PRAGMA busy_timeout = 10000`)
	pair(t, s, addr, phone)
	proxy := newCutProxy(t, addr)
	cut := 0
	for i := range 12 {
		sqlitetest.Exec(t, app, bulkEdits(fmt.Sprintf("d%d-", i), 200))
		sqlitetest.Exec(t, phone.Conn(), bulkEdits(fmt.Sprintf("p%d-", i), 200))
		proxy.setLimit(int64(1 + rng.IntN(60_000)))
		if _, err := Sync(ctx, phone, proxy.ln.Addr().String(), SyncOptions{}); err != nil {
			cut++
		}
	}
	t.Logf("%d of 12 rounds cut", cut)
	proxy.setLimit(0)
	// A connection kept from a round above still counts to its limit.
	closeIdleRounds()
	for range 3 {
		if _, err := Sync(ctx, phone, proxy.ln.Addr().String(), SyncOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// The rounds above may still be at work on the desktop: one more
	// round waits for them (one round at a time).
	const q = `SELECT id, title, notes FROM discovery_releases ORDER BY id`
	appRows := func(sql string) string { return fmt.Sprint(sqlitetest.Rows(t, app, sql)) }
	if a, b := appRows(q), rows(t, phone, q); a != b {
		t.Errorf("the desktop and the phone differ after the cut rounds")
	}
	if a, b := appRows(`SELECT count(*) FROM discovery_tracks`), rows(t, phone, `SELECT count(*) FROM discovery_tracks`); a != b || a != "[[4800]]" {
		t.Errorf("tracks: desktop %s, phone %s, want 4800", a, b)
	}
}

// bulkEdits inserts n releases with a track each, and edits half.
func bulkEdits(prefix string, n int) string {
	s := "BEGIN;"
	for i := range n {
		s += fmt.Sprintf("INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('%[1]s%[2]d', 'https://x/%[1]s%[2]d', 'T%[2]d', 'd', 'd');", prefix, i)
		s += fmt.Sprintf("INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('%[1]st%[2]d', '%[1]s%[2]d', 'One', 1);", prefix, i)
	}
	for i := 0; i < n; i += 2 {
		s += fmt.Sprintf("UPDATE discovery_releases SET notes = 'n%[2]d' WHERE id = '%[1]s%[2]d';", prefix, i)
	}
	return s + "COMMIT;"
}

// TestPhonesAtOnce: three phones sync at once, round after round, while
// each of them and the desktop's app keep writing; once the writes stop, a
// round each way brings all four to the same rows.
func TestPhonesAtOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	desk, err := capture.Open(ctx, filepath.Join(dir, "desktop.db"), capture.Options{Profile: schema.Desktop})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { desk.Close() })
	s, addr := serve(t, desk)
	app, err := sqlite3.Open(filepath.Join(dir, "desktop.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	sqlitetest.Exec(t, app, `PRAGMA busy_timeout = 10000`)
	phones := make([]*capture.Engine, 3)
	for i := range phones {
		phones[i] = open(t, fmt.Sprintf("phone%d.db", i), schema.Mobile)
		pair(t, s, addr, phones[i])
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(phones)+1)
	wg.Go(func() {
		for i := range 8 {
			if err := app.Exec(bulkEdits(fmt.Sprintf("d%d-", i), 50)); err != nil {
				errs <- fmt.Errorf("the app: %w", err)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	for n, p := range phones {
		wg.Go(func() {
			for i := range 6 {
				if err := p.Conn().Exec(bulkEdits(fmt.Sprintf("p%d.%d-", n, i), 50)); err != nil {
					errs <- fmt.Errorf("phone %d: %w", n, err)
					return
				}
				if err := p.Conn().Exec(fmt.Sprintf(`UPDATE discovery_releases SET notes = 'phone %d round %d' WHERE id LIKE 'd%%-1'`, n, i)); err != nil {
					errs <- fmt.Errorf("phone %d: %w", n, err)
					return
				}
				if _, err := Sync(ctx, p, "", SyncOptions{}); err != nil {
					errs <- fmt.Errorf("phone %d round %d: %w", n, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for range 2 {
		for _, p := range phones {
			if _, err := Sync(ctx, p, "", SyncOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, q := range []string{
		`SELECT id, url, title, notes FROM discovery_releases ORDER BY id`,
		`SELECT id, release_id, name FROM discovery_tracks ORDER BY id`,
	} {
		want := fmt.Sprint(sqlitetest.Rows(t, app, q))
		for n, p := range phones {
			if got := rows(t, p, q); got != want {
				t.Errorf("phone %d differs from the desktop on %s", n, q)
			}
		}
	}
	if got := fmt.Sprint(sqlitetest.Rows(t, app, `SELECT count(*) FROM discovery_tracks`)); got != "[[1300]]" {
		t.Errorf("tracks on the desktop: %s, want 1300", got)
	}
}
