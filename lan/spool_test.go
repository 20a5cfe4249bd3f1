package lan

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// TestSpool: a changeset is kept in memory up to spoolMemory bytes, in a
// file past that, and refused past the limit; the file is gone once
// closed.
func TestSpool(t *testing.T) {
	for _, tc := range []struct {
		name     string
		size     int
		limit    int64
		tooLarge bool
	}{
		{"empty", 0, 1 << 30, false},
		{"small", 1000, 1 << 30, false},
		{"all of memory", spoolMemory, 1 << 30, false},
		{"one byte past memory", spoolMemory + 1, 1 << 30, false},
		{"file", 3*spoolMemory + 17, 1 << 30, false},
		{"at the limit, in memory", 500, 500, false},
		{"over the limit, in memory", 501, 500, true},
		{"at the limit, in a file", spoolMemory + 500, spoolMemory + 500, false},
		{"over the limit, in a file", spoolMemory + 501, spoolMemory + 500, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in := randomBytes(t, tc.size)
			r, err := spool(bytes.NewReader(in), tc.limit, dir)
			if tc.tooLarge {
				if !errors.Is(err, ErrChangesetTooLarge) {
					t.Fatalf("got %v, want ErrChangesetTooLarge", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				out, err := io.ReadAll(r)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(in, out) {
					t.Fatalf("read back %d bytes that differ from the %d spooled", len(out), len(in))
				}
				if err := r.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("%d files left in the spool directory", len(left))
			}
		})
	}
}

// TestSpoolReadError: an error reading the body is returned as it is.
func TestSpoolReadError(t *testing.T) {
	dir := t.TempDir()
	cut := io.MultiReader(bytes.NewReader(randomBytes(t, spoolMemory+10)), iotestErr{})
	if _, err := spool(cut, 1<<30, dir); !errors.Is(err, errCut) {
		t.Fatalf("got %v, want the reader's error", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("%d files left in the spool directory", len(left))
	}
}

var errCut = errors.New("cut")

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errCut }

// TestSlowUploadHoldsNoApply: while one phone's round is stuck halfway
// through its upload, another phone's round runs to its end; the first
// completes once the rest of its body arrives.
func TestSlowUploadHoldsNoApply(t *testing.T) {
	ctx := context.Background()
	desk, slow, quick := open(t, "desktop.db", schema.Desktop), open(t, "slow.db", schema.Mobile), open(t, "quick.db", schema.Mobile)
	s, addr := serve(t, desk)
	pair(t, s, addr, slow)
	pair(t, s, addr, quick)
	// A first round each: the snapshot that follows pairing.
	for _, p := range []*capture.Engine{slow, quick} {
		if _, err := Sync(ctx, p, addr, SyncOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	sqlitetest.Exec(t, slow.Conn(), bulkEdits("s", 300))
	sqlitetest.Exec(t, quick.Conn(), bulkEdits("q", 3))

	var cs bytes.Buffer
	if _, err := slow.Export(ctx, &cs, capture.ExportOptions{Peer: desk.NodeID()}); err != nil {
		t.Fatal(err)
	}
	body := compressed(t, cs.Bytes())
	id, err := loadIdentity(ctx, slow)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := id.token(desk.NodeID())
	pr, pw := io.Pipe()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+addr+"/v1/sync", pr)
	req.Header.Set(headerDevice, slow.NodeID())
	req.Header.Set("Authorization", "Bearer "+b64(tok))
	status := make(chan int, 1)
	go func() {
		resp, err := httpClient(id, func([]byte) error { return nil }).Do(req)
		if err != nil {
			t.Error(err)
			status <- 0
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	half := len(body) / 2
	if _, err := pw.Write(body[:half]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the slow round is reading its body now

	qctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := Sync(qctx, quick, addr, SyncOptions{}); err != nil {
		t.Fatalf("a round while another phone's upload is stuck: %v", err)
	}
	select {
	case code := <-status:
		t.Fatalf("the slow round ended (%d) before its body was sent", code)
	default:
	}
	if got := rows(t, desk, `SELECT count(*) FROM discovery_releases WHERE id LIKE 'q%'`); got != "[[3]]" {
		t.Errorf("the quick phone's releases on the desktop: %s, want 3", got)
	}
	if _, err := pw.Write(body[half:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if code := <-status; code != http.StatusOK {
		t.Fatalf("the slow round: status %d", code)
	}
	if got := rows(t, desk, `SELECT count(*) FROM discovery_releases WHERE id LIKE 's%'`); got != "[[300]]" {
		t.Errorf("the slow phone's releases on the desktop: %s, want 300", got)
	}
}

// TestChangesetOverLimit: a round whose changeset is over
// MaxSyncChangeset once decompressed is refused with 413 and changes
// nothing; the phone's changes go in a later round under a higher limit.
func TestChangesetOverLimit(t *testing.T) {
	ctx := context.Background()
	desk, phone := open(t, "desktop.db", schema.Desktop), open(t, "phone.db", schema.Mobile)
	s, err := NewServer(ctx, desk, ServerOptions{MaxSyncChangeset: 4000, SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Serve(sctx, ln) }()
	defer func() { stop(); <-done }()
	addr := ln.Addr().String()
	pair(t, s, addr, phone)
	sqlitetest.Exec(t, phone.Conn(), bulkEdits("p", 200))
	before := dump(t, desk)
	_, err = Sync(ctx, phone, addr, SyncOptions{})
	if err == nil || !strings.Contains(err.Error(), "413") {
		t.Fatalf("got %v, want a 413 refusal", err)
	}
	if dump(t, desk) != before {
		t.Error("the refused round changed the desktop's database")
	}
}
