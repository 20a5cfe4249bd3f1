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
	"sync/atomic"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/lww"
)

// A sync round is POST /v1/sync from a paired phone: headers name it
// (Capture-Device) and carry its token (Authorization: Bearer, base64), over
// a TLS connection whose client certificate is the one pinned when it
// paired. The body is its changeset, compressed (wire.go), which the desktop
// applies; the response is the desktop's changeset for it, likewise, which
// carries the acknowledgement of what was just applied.

// RoundInfo is what the desktop did in one round (ServerOptions.OnRound).
type RoundInfo struct {
	// Device is the phone's node id.
	Device string
	// Applied is the Apply of the phone's changeset; Sent what the
	// desktop sent back.
	Applied lww.Result
	Sent    capture.ExportStats
	// BytesIn and BytesOut count the compressed bytes each way;
	// ChangesetOut the bytes of the changeset sent, before compression.
	BytesIn, BytesOut, ChangesetOut int64
	Took                            time.Duration
}

const (
	headerDevice = "Capture-Device"
	// headerFormer lists, comma-separated, the node ids the phone had
	// before (capture.Engine.FormerIDs), newest first.
	headerFormer = "Capture-Former"
)

// sync serves one round. It authenticates the phone and exports to it
// through an engine of its own (readers), so that rounds with several
// phones run at once, and applies what the phone sent through the server's
// engine, one apply at a time. A phone's rounds run one at a time.
func (s *Server) sync(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx := r.Context()
	id := r.Header.Get(headerDevice)
	token, ok := bearer(r)
	rd, release, err := s.readers.get(ctx)
	if err != nil {
		httpError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	defer release()
	// A phone that took a new node id (capture.Engine.Reset) is paired
	// under a former one until this round's apply moves the pairing: it
	// authenticates as that one.
	// One answer for every refusal: it does not tell which ids are
	// paired.
	const refused = "not authorized: this device is not paired with this desktop (pair with a code), or not with this certificate and token"
	authID, dev, err := s.pairedAs(ctx, rd, id, r.Header.Get(headerFormer))
	switch {
	case !ok || id == "" || errors.Is(err, capture.ErrUnknownDevice):
		s.fail(r)
		httpError(w, http.StatusUnauthorized, refused)
		return
	case err != nil:
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	case len(dev.CertSHA256) == 0 || !bytes.Equal(dev.CertSHA256, fingerprint(r.TLS.PeerCertificates[0].Raw)):
		s.fail(r)
		httpError(w, http.StatusUnauthorized, refused)
		return
	}
	if err := rd.CheckToken(ctx, authID, token); err != nil {
		s.fail(r)
		httpError(w, http.StatusUnauthorized, refused)
		return
	}
	if r.ContentLength > s.opts.MaxSyncBody {
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d bytes", s.opts.MaxSyncBody))
		return
	}
	unlock, err := s.lockDevice(ctx, authID)
	if err != nil {
		httpError(w, http.StatusConflict, err.Error())
		return
	}
	defer unlock()
	// Read again under the device's lock: a round that just ended may have
	// moved it.
	if dev, err = rd.Device(ctx, authID); err != nil {
		httpError(w, http.StatusConflict, fmt.Sprintf("%s: %v", authID, err))
		return
	}
	in := &countReader{r: http.MaxBytesReader(w, r.Body, s.opts.MaxSyncBody)}
	zr, err := decompress(in)
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	body, err := spool(zr, s.opts.MaxSyncChangeset, s.opts.SpoolDir)
	zr.Close()
	if err != nil {
		httpError(w, applyStatus(err), err.Error())
		return
	}
	defer body.Close()
	res, err := s.apply(ctx, rd, body, authID)
	if err != nil {
		httpError(w, applyStatus(err), err.Error())
		return
	}
	// The changeset was the device's own (lww.Options.From), and a new
	// id is now the one the authenticated pairing moved to.
	if res.Origin != id {
		httpError(w, http.StatusBadRequest, fmt.Sprintf("the changeset comes from %s, the round from %s", res.Origin, id))
		return
	}
	if id != authID {
		if by, retired, err := rd.Retired(ctx, authID); err != nil || !retired || by != id {
			httpError(w, http.StatusConflict, fmt.Sprintf("%s is not paired after the apply: its changeset must list %s as a former id", id, authID))
			return
		}
	}
	// The first round of a pairing (none has ended yet: SeenDevice), and
	// that of a device that took a new id (it started over), bring a
	// snapshot.
	w.Header().Set("Content-Type", contentType)
	out := &countWriter{w: w}
	zw, err := compress(out)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	raw := &countWriter{w: zw}
	st, err := rd.Export(ctx, raw, capture.ExportOptions{Peer: id, Snapshot: id != authID || dev.LastSeen.IsZero()})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		// The headers are out: the phone sees a cut stream and retries.
		s.opts.Log.Error().Err(err).Str("device", id).Msg("sync: export")
		return
	}
	if err := rd.SeenDevice(ctx, id, ""); err != nil {
		s.opts.Log.Error().Err(err).Str("device", id).Msg("sync: note the device seen")
	}
	info := RoundInfo{Device: id, Applied: res, Sent: st, BytesIn: in.n, BytesOut: out.n, ChangesetOut: raw.n, Took: time.Since(start)}
	s.opts.Log.Info().Str("device", id).Int("records_in", res.Records).Int("won", res.Won).Int("lost", res.Lost).
		Int("merged", len(res.Merges)).Int64("records_out", st.Fields+st.Rows).Int64("bytes_in", info.BytesIn).
		Int64("bytes_out", info.BytesOut).Dur("took", info.Took).Msg("sync round")
	if s.opts.OnRound != nil {
		s.opts.OnRound(info)
	}
}

// apply applies a phone's changeset through the server's engine, one
// apply at a time (rd is that engine, already locked, when rounds share
// it).
func (s *Server) apply(ctx context.Context, rd *capture.Engine, body io.Reader, from string) (lww.Result, error) {
	if !s.readers.isShared(rd) {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	return lww.Apply(ctx, s.e, body, lww.Options{From: from})
}

// pairedAs returns the id a round's device is paired under: its own, or
// else the first of its former ids (the Capture-Former header: at most
// changeset.MaxFormer) that is paired, and the pairing.
func (s *Server) pairedAs(ctx context.Context, rd *capture.Engine, id, former string) (string, capture.Device, error) {
	dev, err := rd.Device(ctx, id)
	if !errors.Is(err, capture.ErrUnknownDevice) || former == "" {
		return id, dev, err
	}
	ids := strings.Split(former, ",")
	if len(ids) > changeset.MaxFormer {
		ids = ids[:changeset.MaxFormer]
	}
	for _, f := range ids {
		if f == "" || f == id {
			continue
		}
		if d, ferr := rd.Device(ctx, f); ferr == nil {
			return f, d, nil
		} else if !errors.Is(ferr, capture.ErrUnknownDevice) {
			return id, dev, ferr
		}
	}
	return id, dev, err
}

// turn is one device's place in line: one round runs, one more may wait.
type turn struct {
	run     chan struct{} // holds a token while a round runs
	waiting atomic.Int32
}

// errBusy: a round of the device runs and another waits already.
var errBusy = errors.New("a round of this device is running and another waits: try again when they end")

// lockDevice waits until no other round of device id runs, and returns
// the function that ends this one's turn. A retried round waits for the
// one it replaces (cut on the phone's side, perhaps still at work here);
// beyond one waiting round, a phone that sends several at once gets
// errBusy rather than holding the server's round slots.
func (s *Server) lockDevice(ctx context.Context, id string) (func(), error) {
	v, _ := s.devices.LoadOrStore(id, &turn{run: make(chan struct{}, 1)})
	t := v.(*turn)
	release := func() { <-t.run }
	select {
	case t.run <- struct{}{}:
		return release, nil
	default:
	}
	if t.waiting.Add(1) > 1 {
		t.waiting.Add(-1)
		return nil, errBusy
	}
	defer t.waiting.Add(-1)
	select {
	case t.run <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// countReader and countWriter count the bytes through them.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// applyStatus is the HTTP status of an Apply error: the phone's input or
// state (4xx), or this side's (5xx).
func applyStatus(err error) int {
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb), errors.Is(err, ErrChangesetTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, changeset.ErrCorrupt), errors.Is(err, changeset.ErrTruncated), errors.Is(err, changeset.ErrVersion),
		errors.Is(err, changeset.ErrLimit), errors.Is(err, lww.ErrBadRecord), errors.Is(err, lww.ErrNotSynced),
		errors.Is(err, lww.ErrOwnChangeset), errors.Is(err, lww.ErrNotForThisDevice), errors.Is(err, ErrStream), errors.Is(err, lww.ErrWrongSender):
		return http.StatusBadRequest
	case errors.Is(err, capture.ErrForked), errors.Is(err, lww.ErrPeerForked), errors.Is(err, capture.ErrRetired),
		errors.Is(err, capture.ErrClockDrift):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// bearer returns the token of an Authorization: Bearer header.
func bearer(r *http.Request) ([]byte, bool) {
	v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil, false
	}
	t, err := base64.StdEncoding.DecodeString(v)
	return t, err == nil && len(t) == 32
}
