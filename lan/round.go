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
	authID, dev, err := s.pairedAs(ctx, rd, id, r.Header.Get(headerFormer))
	switch {
	case !ok || id == "" || errors.Is(err, capture.ErrUnknownDevice):
		s.fail(r)
		httpError(w, http.StatusUnauthorized, "not a paired device: pair with a code first")
		return
	case err != nil:
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	case len(dev.CertSHA256) == 0 || !bytes.Equal(dev.CertSHA256, fingerprint(r.TLS.PeerCertificates[0].Raw)):
		s.fail(r)
		httpError(w, http.StatusUnauthorized, "the connection's certificate is not the one this device paired with")
		return
	}
	if err := rd.CheckToken(ctx, authID, token); err != nil {
		s.fail(r)
		httpError(w, http.StatusUnauthorized, "wrong token")
		return
	}
	if r.ContentLength > s.opts.MaxSyncBody {
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d bytes", s.opts.MaxSyncBody))
		return
	}
	unlock := s.lockDevice(authID)
	defer unlock()
	in := &countReader{r: http.MaxBytesReader(w, r.Body, s.opts.MaxSyncBody)}
	body, err := decompress(in)
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	defer body.Close()
	res, err := s.apply(ctx, rd, body, authID)
	if err != nil {
		httpError(w, applyStatus(err), err.Error())
		return
	}
	// The first round of a pairing (none has ended yet: SeenDevice), and
	// that of a device that took a new id (it started over), bring a
	// snapshot.
	if _, err := rd.Device(ctx, id); err != nil {
		httpError(w, http.StatusConflict, fmt.Sprintf("%s is not paired after the apply: its changeset must list %s as a former id", id, authID))
		return
	}
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

// lockDevice waits until no other round of device id runs, and returns
// the function that ends this one's turn.
func (s *Server) lockDevice(id string) func() {
	m, _ := s.devices.LoadOrStore(id, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
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
	case errors.As(err, &mb):
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
