package lan

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/lww"
)

// Round is what one sync round did.
type Round struct {
	// Desktop is the desktop's node id.
	Desktop string
	// Sent is what this device sent; Received what it applied of the
	// desktop's answer.
	Sent     capture.ExportStats
	Received lww.Result
}

// SyncOptions tune a round.
type SyncOptions struct {
	// Progress, if set, is called every ProgressEvery while the round
	// runs, and once at its end (Done set), from a goroutine of its own
	// and never twice at once.
	Progress func(Progress)
	// ProgressEvery is the interval of Progress calls (1 s when 0).
	ProgressEvery time.Duration
}

// Progress is how far a round is.
type Progress struct {
	// Sent and Received count the compressed bytes each way so far.
	Sent, Received int64
	// Elapsed is the time since the round began.
	Elapsed time.Duration
	// Done is set on the last call.
	Done bool
}

// Sync runs one round with the desktop paired over the network, at addr,
// or at the address it was last reached at when addr is "": this device's
// changes go up and are applied there, the desktop's come back and are
// applied here. A round that fails anywhere leaves nothing half done that
// the next one does not complete; running it again is always safe.
func Sync(ctx context.Context, e *capture.Engine, addr string, opts SyncOptions) (Round, error) {
	var r Round
	id, err := loadIdentity(ctx, e)
	if err != nil {
		return r, err
	}
	devices, err := e.Devices(ctx)
	if err != nil {
		return r, err
	}
	var desk *capture.Device
	for i := range devices {
		if len(devices[i].CertSHA256) > 0 {
			desk = &devices[i]
			break
		}
	}
	if desk == nil {
		return r, ErrNotPaired
	}
	r.Desktop = desk.ID
	if addr == "" {
		addr = desk.Address
	}
	if addr == "" {
		return r, fmt.Errorf("lan: sync with %s: no address known: give one", desk.ID)
	}
	client := roundClient(id, desk.CertSHA256)
	tok, err := id.token(desk.ID)
	if err != nil {
		return r, err
	}
	// Read before the export runs: the engine is one connection.
	former, err := e.FormerIDs(ctx)
	if err != nil {
		return r, err
	}
	meter := startMeter(opts)
	defer meter.stop()
	// This device's changeset streams up while it is written.
	pr, pw := io.Pipe()
	exported := make(chan error, 1)
	go func() {
		zw, err := compress(&meterWriter{pw, &meter.sent})
		var st capture.ExportStats
		if err == nil {
			st, err = e.Export(ctx, zw, capture.ExportOptions{Peer: desk.ID})
		}
		if err == nil {
			err = zw.Close()
		}
		r.Sent = st
		pw.CloseWithError(err)
		exported <- err
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+addr+"/v1/sync", pr)
	if err != nil {
		pr.CloseWithError(err)
		<-exported
		return r, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set(headerDevice, e.NodeID())
	if len(former) > 0 {
		req.Header.Set(headerFormer, strings.Join(former, ","))
	}
	req.Header.Set("Authorization", "Bearer "+base64.StdEncoding.EncodeToString(tok))
	resp, err := client.Do(req)
	pr.CloseWithError(errors.New("lan: the request is over"))
	// The engine has one connection: the export must be over before the
	// answer is applied.
	exportErr := <-exported
	if err != nil {
		return r, fmt.Errorf("lan: sync with %s: %w", addr, err)
	}
	defer resp.Body.Close()
	if err := refusal(resp); err != nil {
		return r, fmt.Errorf("lan: sync with %s: %w", addr, err)
	}
	if exportErr != nil {
		return r, fmt.Errorf("lan: sync with %s: export: %w", addr, exportErr)
	}
	zr, err := decompress(&meterReader{resp.Body, &meter.received})
	if err != nil {
		return r, fmt.Errorf("lan: sync with %s: the answer: %w", addr, err)
	}
	defer zr.Close()
	if r.Received, err = lww.Apply(ctx, e, zr, lww.Options{}); err != nil {
		return r, fmt.Errorf("lan: sync with %s: %w", addr, err)
	}
	// The address and the time seen, when they changed: a commit (an
	// fsync on a phone) less on most rounds.
	if addr == desk.Address && time.Since(desk.LastSeen) < time.Minute {
		return r, nil
	}
	if err := e.SeenDevice(ctx, desk.ID, addr); err != nil {
		return r, err
	}
	return r, nil
}

// meter counts a round's bytes and reports them (SyncOptions.Progress).
type meter struct {
	sent, received atomic.Int64
	start          time.Time
	report         func(Progress)
	quit           chan struct{}
	wg             sync.WaitGroup
}

func startMeter(opts SyncOptions) *meter {
	m := &meter{start: time.Now(), report: opts.Progress, quit: make(chan struct{})}
	if m.report == nil {
		return m
	}
	every := opts.ProgressEvery
	if every <= 0 {
		every = time.Second
	}
	m.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				m.report(m.now(false))
			case <-m.quit:
				m.report(m.now(true))
				return
			}
		}
	})
	return m
}

func (m *meter) now(done bool) Progress {
	return Progress{Sent: m.sent.Load(), Received: m.received.Load(), Elapsed: time.Since(m.start), Done: done}
}

// stop makes the last report and waits for it.
func (m *meter) stop() {
	close(m.quit)
	m.wg.Wait()
}

type meterWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (m *meterWriter) Write(p []byte) (int, error) {
	n, err := m.w.Write(p)
	m.n.Add(int64(n))
	return n, err
}

type meterReader struct {
	r io.Reader
	n *atomic.Int64
}

func (m *meterReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.n.Add(int64(n))
	return n, err
}

// roundClients keeps one client per pair of certificates (this device's,
// the desktop's pinned one), so that a round reuses the TLS connection of
// the one before when it is still open, rather than a handshake each time.
var roundClients = struct {
	sync.Mutex
	m map[string]*http.Client
}{m: map[string]*http.Client{}}

// roundClient returns the client for rounds from id to the desktop whose
// certificate is pinned as pin.
func roundClient(id *identity, pin []byte) *http.Client {
	key := string(id.fp) + "/" + string(pin)
	roundClients.Lock()
	defer roundClients.Unlock()
	if c, ok := roundClients.m[key]; ok {
		return c
	}
	pin = bytes.Clone(pin)
	c := httpClient(id, func(der []byte) error {
		if !bytes.Equal(fingerprint(der), pin) {
			return ErrPin
		}
		return nil
	})
	roundClients.m[key] = c
	return c
}

// closeIdleRounds closes the connections kept between rounds.
func closeIdleRounds() {
	roundClients.Lock()
	defer roundClients.Unlock()
	for _, c := range roundClients.m {
		c.CloseIdleConnections()
	}
}
