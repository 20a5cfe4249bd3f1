package lan

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/lan/internal/pairing"
)

// Limits of the server.
const (
	// MaxPairingBody bounds a pairing request's body.
	MaxPairingBody = 16 << 10
	// DefaultMaxSyncBody bounds a sync request's compressed body.
	DefaultMaxSyncBody = 1 << 30
	// maxFailures is how many refused requests one address may make in
	// failureWindow before it is refused outright (429).
	maxFailures   = 10
	failureWindow = time.Minute
)

// ServerOptions configure a Server.
type ServerOptions struct {
	// Name and Platform describe the desktop to the phones that pair.
	Name, Platform string
	// Log receives a line per round and per pairing; silent by default.
	Log zerolog.Logger
	// Now is the clock (time.Now by default).
	Now func() time.Time
	// MaxSyncBody bounds a round's compressed request body
	// (DefaultMaxSyncBody when 0).
	MaxSyncBody int64
	// MaxSyncChangeset bounds a round's changeset once decompressed
	// (DefaultMaxSyncChangeset when 0): a bigger one is refused with
	// ErrChangesetTooLarge (413), the database unchanged.
	MaxSyncChangeset int64
	// SpoolDir is where a round's changeset goes while it arrives, when
	// it is too big to keep in memory (os.TempDir() when ""). It is
	// applied once it has arrived whole, so that a slow upload holds up
	// no other phone's apply.
	SpoolDir string
	// OnRound, if set, is called after each round, once the server's
	// engine is no longer in use for it (where rounds share it, because
	// its database has no file, it is called with the engine still held:
	// it must not wait for another round).
	OnRound func(RoundInfo)
	// OnPaired, if set, is called after a device paired (its code is used
	// up then; call NewCode for another).
	OnPaired func(capture.Device)
	// Rounds bounds how many sync rounds run at once (DefaultRounds when
	// 0); more wait their turn. Each running round reads and exports
	// through a connection of its own.
	Rounds int
}

// Server is the desktop's side: an http.Handler for pairing and sync
// rounds over TLS (TLSConfig). One engine serves every phone: the phones'
// changesets are applied through it one at a time, while the exports to
// them run at once, each through another connection to the same file
// (capture.Engine.Clone). The app keeps writing through its own
// connections meanwhile. Close releases the connections the server opened.
type Server struct {
	e    *capture.Engine
	id   *identity
	opts ServerOptions

	mu       sync.Mutex // the engine: one apply or pairing at a time
	readers  *readers
	devices  sync.Map   // device id -> *sync.Mutex: one round per phone at a time
	pmu      sync.Mutex // offer, sessions and failures
	offer    *pairing.Offer
	sessions map[string]*session
	failures map[string][]time.Time
	mux      *http.ServeMux
}

type session struct {
	s       *pairing.ServerSession
	expires time.Time
}

// NewServer makes the server of e's database, making its TLS certificate
// on first use.
func NewServer(ctx context.Context, e *capture.Engine, opts ServerOptions) (*Server, error) {
	id, err := loadIdentity(ctx, e)
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxSyncBody == 0 {
		opts.MaxSyncBody = DefaultMaxSyncBody
	}
	if opts.MaxSyncChangeset == 0 {
		opts.MaxSyncChangeset = DefaultMaxSyncChangeset
	}
	s := &Server{e: e, id: id, opts: opts, sessions: map[string]*session{}, failures: map[string][]time.Time{}, mux: http.NewServeMux()}
	s.readers = newReaders(e, &s.mu, opts.Rounds)
	s.mux.HandleFunc("GET /v1/info", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, infoJSON{NodeID: e.NodeID(), Protocol: Protocol})
	})
	s.mux.HandleFunc("POST /v1/pair/hello", s.pairHello)
	s.mux.HandleFunc("POST /v1/pair/finish", s.pairFinish)
	s.mux.HandleFunc("POST /v1/sync", s.sync)
	return s, nil
}

// Close closes the connections the server opened for its rounds (those
// still running close as they end). Call it once Serve has returned and
// before closing the engine.
func (s *Server) Close() error { return s.readers.close() }

// NewCode starts pairing: it returns a fresh code, valid for
// pairing.DefaultLifetime, for one device; the previous code stops working.
func (s *Server) NewCode() (string, error) {
	o, err := pairing.NewOffer(s.opts.Now(), pairing.DefaultLifetime)
	if err != nil {
		return "", err
	}
	s.pmu.Lock()
	s.offer, s.sessions = o, map[string]*session{}
	s.pmu.Unlock()
	return o.Code(), nil
}

// TLSConfig is the server's TLS configuration: its certificate, TLS 1.3,
// and a client certificate required (which the handlers check against the
// pinned one, or record when pairing).
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{s.id.cert},
		ClientAuth:   tls.RequireAnyClientCert,
		MinVersion:   tls.VersionTLS13,
	}
}

// ServeHTTP serves the pairing and sync endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.refused(remoteHost(r)) {
		httpError(w, http.StatusTooManyRequests, "too many refused requests from this address; wait a minute")
		return
	}
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		httpError(w, http.StatusUnauthorized, "a client certificate over TLS is required")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Serve serves on ln over TLS until ctx is done; it returns once the
// rounds running then have ended (30 s at most).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		TLSConfig:         s.TLSConfig(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	shutdown := make(chan struct{})
	go func() {
		defer close(shutdown)
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		hs.Shutdown(shut)
	}()
	err := hs.ServeTLS(ln, "", "")
	if errors.Is(err, http.ErrServerClosed) {
		// Shutdown returns once the running rounds have ended (or after
		// 30 s): only then may the caller close the engine.
		<-shutdown
		return nil
	}
	return err
}

// pairHello answers the first pairing message.
func (s *Server) pairHello(w http.ResponseWriter, r *http.Request) {
	var h helloJSON
	if !readJSON(w, r, &h) {
		s.fail(r)
		return
	}
	s.pmu.Lock()
	o := s.offer
	s.pmu.Unlock()
	if o == nil {
		httpError(w, http.StatusForbidden, "this desktop is not pairing: show a code on it first")
		return
	}
	now := s.opts.Now()
	reply, ps, err := o.Respond(now, pairing.Hello{SID: h.SID, Y: h.Y}, s.id.fp, fingerprint(r.TLS.PeerCertificates[0].Raw))
	if err != nil {
		s.fail(r)
		httpError(w, pairingStatus(err), err.Error())
		return
	}
	key := make([]byte, 16)
	rand.Read(key)
	sid := hex.EncodeToString(key)
	s.pmu.Lock()
	for k, v := range s.sessions {
		if now.After(v.expires) {
			delete(s.sessions, k)
		}
	}
	s.sessions[sid] = &session{ps, now.Add(pairing.SessionTimeout)}
	s.pmu.Unlock()
	writeJSON(w, replyJSON{Session: sid, Y: reply.Y, MAC: reply.MAC})
}

// pairFinish checks the phone's proof and pairs it.
func (s *Server) pairFinish(w http.ResponseWriter, r *http.Request) {
	var f finishJSON
	if !readJSON(w, r, &f) {
		s.fail(r)
		return
	}
	s.pmu.Lock()
	se := s.sessions[f.Session]
	delete(s.sessions, f.Session)
	s.pmu.Unlock()
	if se == nil {
		s.fail(r)
		httpError(w, http.StatusBadRequest, "no such pairing session: start again")
		return
	}
	clientFP := fingerprint(r.TLS.PeerCertificates[0].Raw)
	tok, err := s.id.token(f.Identity.NodeID)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	desk := pairing.Identity{NodeID: s.e.NodeID(), Name: s.opts.Name, Platform: s.opts.Platform, CertFingerprint: s.id.fp, Token: tok}
	phone, welcome, err := se.s.Finish(s.opts.Now(), pairing.Finish{MAC: f.MAC, Identity: toIdentity(f.Identity)}, desk)
	if err != nil {
		s.fail(r)
		httpError(w, pairingStatus(err), err.Error())
		return
	}
	if !bytes.Equal(phone.CertFingerprint, clientFP) || len(phone.Token) != 32 || phone.NodeID == "" {
		s.fail(r)
		httpError(w, http.StatusBadRequest, "the identity does not match the connection's certificate")
		return
	}
	s.mu.Lock()
	// A code pairs a new device: one paired already is unpaired on the
	// desktop first, so that nobody with a code takes over its pairing.
	if _, err = s.e.Device(r.Context(), phone.NodeID); err == nil {
		s.mu.Unlock()
		s.fail(r)
		httpError(w, http.StatusConflict, "this device is paired already: unpair it on the desktop first")
		return
	}
	err = s.e.Pair(r.Context(), capture.Device{ID: phone.NodeID, Name: phone.Name, Platform: phone.Platform}, phone.Token)
	if err == nil {
		err = s.e.PinDevice(r.Context(), phone.NodeID, clientFP, "")
	}
	s.mu.Unlock()
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	s.opts.Log.Info().Str("device", phone.NodeID).Str("name", phone.Name).Str("platform", phone.Platform).Msg("paired")
	writeJSON(w, welcomeJSON{Identity: fromIdentity(welcome.Identity), MAC: welcome.MAC})
	if s.opts.OnPaired != nil {
		s.opts.OnPaired(capture.Device{ID: phone.NodeID, Name: phone.Name, Platform: phone.Platform, CertSHA256: clientFP})
	}
}

func pairingStatus(err error) int {
	switch {
	case errors.Is(err, pairing.ErrMalformed):
		return http.StatusBadRequest
	case errors.Is(err, pairing.ErrLocked), errors.Is(err, pairing.ErrUsed), errors.Is(err, pairing.ErrExpired):
		return http.StatusGone
	}
	return http.StatusForbidden
}

// fail notes a refused request from r's address.
func (s *Server) fail(r *http.Request) {
	host := remoteHost(r)
	s.pmu.Lock()
	s.failures[host] = append(s.failures[host], s.opts.Now())
	s.pmu.Unlock()
}

// refused reports whether host made maxFailures refused requests in the
// last failureWindow.
func (s *Server) refused(host string) bool {
	s.pmu.Lock()
	defer s.pmu.Unlock()
	cut := s.opts.Now().Add(-failureWindow)
	recent := s.failures[host][:0]
	for _, t := range s.failures[host] {
		if t.After(cut) {
			recent = append(recent, t)
		}
	}
	if len(recent) == 0 {
		delete(s.failures, host)
		return false
	}
	s.failures[host] = recent
	return len(recent) >= maxFailures
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// pairingReadTime bounds the time to read a pairing request's body (a
// variable for tests).
var pairingReadTime = 10 * time.Second

// readJSON reads a pairing request's body: at most MaxPairingBody bytes,
// within pairingReadTime (a body trickled in slowly holds nothing longer).
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(pairingReadTime))
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxPairingBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Sprintf("malformed request: %v", err))
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(errorJSON{Error: msg})
}
