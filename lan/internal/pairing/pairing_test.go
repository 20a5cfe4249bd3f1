package pairing

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

var (
	t0       = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	serverFP = bytes.Repeat([]byte{0xd1}, 32)
	clientFP = bytes.Repeat([]byte{0xc1}, 32)
)

func identity(t *testing.T, node string, fp []byte) Identity {
	t.Helper()
	tok, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	return Identity{NodeID: node, Name: node + "'s", Platform: "test", CertFingerprint: fp, Token: tok}
}

func offer(t *testing.T) *Offer {
	t.Helper()
	o, err := NewOffer(t0, DefaultLifetime)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Code()) != 6 {
		t.Fatalf("code %q", o.Code())
	}
	return o
}

// run pairs with code against o at now, over the fingerprints each side
// sees, and returns what each side ended with.
func run(t *testing.T, o *Offer, now time.Time, code string, fps [4][]byte) (phoneGot, deskGot Identity, err error) {
	t.Helper()
	phone, desk := identity(t, "phone", fps[3]), identity(t, "desktop", fps[0])
	c, hello, err := Join(code, fps[2], fps[3])
	if err != nil {
		return phoneGot, deskGot, err
	}
	reply, s, err := o.Respond(now, hello, fps[0], fps[1])
	if err != nil {
		return phoneGot, deskGot, err
	}
	fin, err := c.Confirm(reply, phone)
	if err != nil {
		return phoneGot, deskGot, err
	}
	deskGot, welcome, err := s.Finish(now, fin, desk)
	if err != nil {
		return phoneGot, deskGot, err
	}
	phoneGot, err = c.Welcomed(welcome)
	return phoneGot, deskGot, err
}

// direct is a connection whose two ends see the same certificates.
var direct = [4][]byte{serverFP, clientFP, serverFP, clientFP}

func TestPairing(t *testing.T) {
	t.Run("the right code pairs, once", func(t *testing.T) {
		o := offer(t)
		phoneGot, deskGot, err := run(t, o, t0, o.Code(), direct)
		if err != nil {
			t.Fatal(err)
		}
		if phoneGot.NodeID != "desktop" || !bytes.Equal(phoneGot.CertFingerprint, serverFP) || len(phoneGot.Token) != 32 ||
			deskGot.NodeID != "phone" || !bytes.Equal(deskGot.CertFingerprint, clientFP) || len(deskGot.Token) != 32 {
			t.Errorf("phone got %+v, desktop got %+v", phoneGot, deskGot)
		}
		if _, _, err := run(t, o, t0, o.Code(), direct); !errors.Is(err, ErrUsed) {
			t.Errorf("the code used twice: %v", err)
		}
	})
	t.Run("a wrong code is refused, and 5 lock the code", func(t *testing.T) {
		o := offer(t)
		wrong := "000000"
		if o.Code() == wrong {
			wrong = "000001"
		}
		for i := range MaxAttempts {
			if _, _, err := run(t, o, t0, wrong, direct); !errors.Is(err, ErrWrongCode) {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		if _, _, err := run(t, o, t0, o.Code(), direct); !errors.Is(err, ErrLocked) {
			t.Errorf("the right code after %d wrong ones: %v", MaxAttempts, err)
		}
	})
	t.Run("an attacker who skips the check of the reply", func(t *testing.T) {
		o := offer(t)
		wrong := "123456"
		if o.Code() == wrong {
			wrong = "654321"
		}
		c, hello, _ := Join(wrong, serverFP, clientFP)
		reply, s, err := o.Respond(t0, hello, serverFP, clientFP)
		if err != nil {
			t.Fatal(err)
		}
		c.Confirm(reply, identity(t, "mallory", clientFP)) // ErrWrongCode, ignored
		forged := Finish{MAC: bytes.Repeat([]byte{1}, 64), Identity: identity(t, "mallory", clientFP)}
		if _, _, err := s.Finish(t0, forged, identity(t, "desktop", serverFP)); !errors.Is(err, ErrWrongCode) {
			t.Errorf("a forged finish: %v", err)
		}
	})
	t.Run("a party in the middle of TLS", func(t *testing.T) {
		o := offer(t)
		mallory := bytes.Repeat([]byte{0xee}, 32)
		// The desktop sees the attacker's client certificate; the phone
		// sees the attacker's server certificate.
		if _, _, err := run(t, o, t0, o.Code(), [4][]byte{serverFP, mallory, mallory, clientFP}); !errors.Is(err, ErrWrongCode) {
			t.Errorf("through a relay that terminates TLS: %v", err)
		}
	})
	t.Run("the code expires", func(t *testing.T) {
		o := offer(t)
		if _, _, err := run(t, o, t0.Add(DefaultLifetime), o.Code(), direct); !errors.Is(err, ErrExpired) {
			t.Errorf("after its lifetime: %v", err)
		}
	})
	t.Run("a run not finished in time", func(t *testing.T) {
		o := offer(t)
		c, hello, _ := Join(o.Code(), serverFP, clientFP)
		reply, s, _ := o.Respond(t0, hello, serverFP, clientFP)
		fin, err := c.Confirm(reply, identity(t, "phone", clientFP))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Finish(t0.Add(SessionTimeout+time.Second), fin, identity(t, "desktop", serverFP)); !errors.Is(err, ErrExpired) {
			t.Errorf("a late finish: %v", err)
		}
	})
	t.Run("a replayed transcript", func(t *testing.T) {
		o := offer(t)
		c, hello, _ := Join(o.Code(), serverFP, clientFP)
		reply, s, _ := o.Respond(t0, hello, serverFP, clientFP)
		fin, _ := c.Confirm(reply, identity(t, "phone", clientFP))
		if _, _, err := s.Finish(t0, fin, identity(t, "desktop", serverFP)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Finish(t0, fin, identity(t, "desktop", serverFP)); !errors.Is(err, ErrUsed) {
			t.Errorf("the finish again: %v", err)
		}
		// On a new offer, the recorded hello gets a new reply (a fresh
		// scalar), which the recorded finish does not prove.
		o2 := offer(t)
		_, s2, err := o2.Respond(t0, hello, serverFP, clientFP)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s2.Finish(t0, fin, identity(t, "desktop", serverFP)); !errors.Is(err, ErrWrongCode) {
			t.Errorf("a replayed transcript: %v", err)
		}
	})
	t.Run("a tampered welcome", func(t *testing.T) {
		o := offer(t)
		c, hello, _ := Join(o.Code(), serverFP, clientFP)
		reply, s, _ := o.Respond(t0, hello, serverFP, clientFP)
		fin, _ := c.Confirm(reply, identity(t, "phone", clientFP))
		_, w, err := s.Finish(t0, fin, identity(t, "desktop", serverFP))
		if err != nil {
			t.Fatal(err)
		}
		w.Identity.CertFingerprint = bytes.Repeat([]byte{0xee}, 32)
		if _, err := c.Welcomed(w); !errors.Is(err, ErrWrongCode) {
			t.Errorf("a welcome with another certificate: %v", err)
		}
	})
	t.Run("malformed messages", func(t *testing.T) {
		o := offer(t)
		for _, h := range []Hello{{}, {SID: make([]byte, 16)}, {SID: make([]byte, 3), Y: make([]byte, 32)}} {
			if _, _, err := o.Respond(t0, h, serverFP, clientFP); !errors.Is(err, ErrMalformed) {
				t.Errorf("hello %+v: %v", h, err)
			}
		}
		if _, _, err := o.Respond(t0, Hello{SID: make([]byte, 16), Y: make([]byte, 32)}, serverFP, clientFP); !errors.Is(err, ErrMalformed) {
			t.Errorf("the identity element: %v", err)
		}
	})
}
