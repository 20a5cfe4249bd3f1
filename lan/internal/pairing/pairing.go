// Package pairing is the exchange by which a phone and a desktop that have
// never met become paired devices, authenticated by a 6-digit code that the
// desktop shows and the user types on the phone (docs/lan.md).
//
// It runs CPace (package cpace) keyed by the code, with the channel
// identifier binding the two TLS certificates' fingerprints, so that a
// party in the middle of the TLS connection gets different keys on each
// side and learns nothing but the failure of one guess. Then each side
// proves it holds the key (a MAC over the transcript) before the other
// sends it anything: the phone first, with its identity; the desktop,
// having checked that, with its own. An identity is a node id, a name, a
// platform, the certificate fingerprint and a fresh 256-bit token.
//
//	phone                                  desktop (Offer: code, 2 min, 5 tries)
//	Hello{sid, Ya}                  ->
//	                                <-     Reply{Yb, MAC_B}
//	Finish{MAC_A, phone identity}   ->
//	                                <-     Welcome{desktop identity, MAC_W}
//
// The messages carry no transport: package lan sends them over HTTPS.
package pairing

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sync"
	"time"

	"github.com/capture-sync/capture/lan/internal/cpace"
)

// Errors of pairing. Each leaves both sides unpaired.
var (
	// ErrWrongCode: the other side used another code (or is not who the
	// TLS connection says: its certificate fingerprints differ).
	ErrWrongCode = errors.New("pairing: wrong code")
	// ErrExpired: the code is older than its lifetime.
	ErrExpired = errors.New("pairing: code expired")
	// ErrUsed: the code paired a device already; it is single-use.
	ErrUsed = errors.New("pairing: code already used")
	// ErrLocked: too many wrong attempts; the code no longer works.
	ErrLocked = errors.New("pairing: too many wrong attempts; show a new code")
	// ErrMalformed: a message of the wrong shape.
	ErrMalformed = errors.New("pairing: malformed message")
)

// Defaults of an Offer.
const (
	DefaultLifetime = 2 * time.Minute
	MaxAttempts     = 5
	// SessionTimeout bounds the time between a Reply and its Finish.
	SessionTimeout = 30 * time.Second
)

// Identity is what each side tells the other once the code is proven.
type Identity struct {
	NodeID, Name, Platform string
	// CertFingerprint is the SHA-256 of its TLS certificate, which the
	// other side pins.
	CertFingerprint []byte
	// Token is a fresh secret the other side stores only a hash of, and
	// that its owner proves knowledge of in every later request.
	Token []byte
}

// NewToken returns a fresh 256-bit token.
func NewToken() ([]byte, error) {
	t := make([]byte, 32)
	_, err := io.ReadFull(rand.Reader, t)
	return t, err
}

// Hello is the phone's first message.
type Hello struct {
	SID []byte // 16 random bytes, the run's session id
	Y   []byte // its CPace message
}

// Reply is the desktop's answer to Hello.
type Reply struct {
	Y   []byte
	MAC []byte // proves the desktop derived the key: it knows the code
}

// Finish is the phone's proof, with its identity.
type Finish struct {
	MAC      []byte
	Identity Identity
}

// Welcome is the desktop's identity, sent once the phone's proof checked.
type Welcome struct {
	Identity Identity
	MAC      []byte
}

// Offer is the desktop's side: a code that pairs one device, for a while,
// with a few tries. It is safe for concurrent use.
type Offer struct {
	mu       sync.Mutex
	code     string
	expires  time.Time
	attempts int
	used     bool
}

// NewOffer draws a 6-digit code that is valid for lifetime from now.
func NewOffer(now time.Time, lifetime time.Duration) (*Offer, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return nil, fmt.Errorf("pairing: draw a code: %w", err)
	}
	return &Offer{code: fmt.Sprintf("%06d", n.Int64()), expires: now.Add(lifetime)}, nil
}

// Code returns the code to show the user.
func (o *Offer) Code() string { return o.code }

// ServerSession is a run the desktop answered, waiting for the phone's
// Finish.
type ServerSession struct {
	offer    *Offer
	keys     keys
	tr       []byte
	deadline time.Time
	done     bool
}

// Respond answers a phone's Hello, on a TLS connection whose server and
// client certificates have the given fingerprints. Every call counts as an
// attempt, until one pairs: after MaxAttempts the code is locked.
func (o *Offer) Respond(now time.Time, h Hello, serverFP, clientFP []byte) (Reply, *ServerSession, error) {
	if len(h.SID) != 16 || len(h.Y) != cpace.ElementSize {
		return Reply{}, nil, ErrMalformed
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case o.used:
		return Reply{}, nil, ErrUsed
	case !now.Before(o.expires):
		return Reply{}, nil, ErrExpired
	case o.attempts >= MaxAttempts:
		return Reply{}, nil, ErrLocked
	}
	o.attempts++
	p, err := cpace.Start([]byte(o.code), channel(serverFP, clientFP), h.SID, nil, rand.Reader)
	if err != nil {
		return Reply{}, nil, err
	}
	isk, err := p.Finish(h.Y, nil, false)
	if err != nil {
		return Reply{}, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	tr := transcript(h.SID, h.Y, p.Message(), serverFP, clientFP)
	k, err := deriveKeys(isk, h.SID)
	if err != nil {
		return Reply{}, nil, err
	}
	s := &ServerSession{offer: o, keys: k, tr: tr, deadline: now.Add(SessionTimeout)}
	return Reply{Y: p.Message(), MAC: mac(k.responder, "reply", tr)}, s, nil
}

// Finish checks the phone's proof. On success the code is used up, and it
// returns the phone's identity and the desktop's Welcome.
func (s *ServerSession) Finish(now time.Time, f Finish, desktop Identity) (Identity, Welcome, error) {
	o := s.offer
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case s.done:
		return Identity{}, Welcome{}, ErrUsed
	case o.used:
		return Identity{}, Welcome{}, ErrUsed
	case now.After(s.deadline):
		return Identity{}, Welcome{}, ErrExpired
	}
	s.done = true
	if !hmac.Equal(f.MAC, mac(s.keys.initiator, "finish", s.tr, encodeIdentity(f.Identity))) {
		return Identity{}, Welcome{}, ErrWrongCode
	}
	o.used = true
	return f.Identity, Welcome{Identity: desktop, MAC: mac(s.keys.responder, "welcome", s.tr, encodeIdentity(desktop))}, nil
}

// ClientSession is the phone's side of a run.
type ClientSession struct {
	p                  *cpace.Party
	sid, y             []byte
	serverFP, clientFP []byte
	keys               keys
	tr                 []byte
}

// Join starts a run with the code the user typed, on a TLS connection
// whose server and client certificates have the given fingerprints.
func Join(code string, serverFP, clientFP []byte) (*ClientSession, Hello, error) {
	sid := make([]byte, 16)
	if _, err := io.ReadFull(rand.Reader, sid); err != nil {
		return nil, Hello{}, err
	}
	p, err := cpace.Start([]byte(code), channel(serverFP, clientFP), sid, nil, rand.Reader)
	if err != nil {
		return nil, Hello{}, err
	}
	c := &ClientSession{p: p, sid: sid, y: p.Message(), serverFP: serverFP, clientFP: clientFP}
	return c, Hello{SID: sid, Y: c.y}, nil
}

// Confirm checks the desktop's Reply (ErrWrongCode when it used another
// code) and returns the phone's Finish, carrying its identity.
func (c *ClientSession) Confirm(r Reply, phone Identity) (Finish, error) {
	if len(r.Y) != cpace.ElementSize {
		return Finish{}, ErrMalformed
	}
	isk, err := c.p.Finish(r.Y, nil, true)
	if err != nil {
		return Finish{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	c.tr = transcript(c.sid, c.y, r.Y, c.serverFP, c.clientFP)
	if c.keys, err = deriveKeys(isk, c.sid); err != nil {
		return Finish{}, err
	}
	if !hmac.Equal(r.MAC, mac(c.keys.responder, "reply", c.tr)) {
		return Finish{}, ErrWrongCode
	}
	return Finish{MAC: mac(c.keys.initiator, "finish", c.tr, encodeIdentity(phone)), Identity: phone}, nil
}

// Welcomed checks the desktop's Welcome and returns its identity.
func (c *ClientSession) Welcomed(w Welcome) (Identity, error) {
	if c.tr == nil || !hmac.Equal(w.MAC, mac(c.keys.responder, "welcome", c.tr, encodeIdentity(w.Identity))) {
		return Identity{}, ErrWrongCode
	}
	return w.Identity, nil
}

// keys are the confirmation keys of a run, one per side.
type keys struct{ initiator, responder []byte }

func deriveKeys(isk, sid []byte) (keys, error) {
	var k keys
	var err error
	if k.initiator, err = hkdf.Key(sha512.New, isk, sid, "capture pairing v1 initiator", 32); err != nil {
		return k, err
	}
	k.responder, err = hkdf.Key(sha512.New, isk, sid, "capture pairing v1 responder", 32)
	return k, err
}

// channel is CPace's channel identifier: the protocol and both
// certificates, so that a run through a party in the middle of TLS fails.
func channel(serverFP, clientFP []byte) []byte {
	return lv([]byte("capture pairing v1"), serverFP, clientFP)
}

// transcript is what the MACs cover.
func transcript(sid, ya, yb, serverFP, clientFP []byte) []byte {
	return lv(sid, ya, yb, serverFP, clientFP)
}

func mac(key []byte, label string, parts ...[]byte) []byte {
	h := hmac.New(sha512.New, key)
	h.Write(lv(append([][]byte{[]byte(label)}, parts...)...))
	return h.Sum(nil)
}

func encodeIdentity(id Identity) []byte {
	return lv([]byte(id.NodeID), []byte(id.Name), []byte(id.Platform), id.CertFingerprint, id.Token)
}

// lv concatenates its arguments, each after its length (8 bytes).
func lv(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = binary.BigEndian.AppendUint64(out, uint64(len(p)))
		out = append(out, p...)
	}
	return out
}
