package lan

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/capture-sync/capture/lan/internal/pairing"
	"github.com/capture-sync/capture/schema"
)

// TestReplayedPairingTranscript: the messages of a pairing, recorded and
// sent again, pair nothing: the recorded session is gone, the used code
// refuses the hello, and under a new code the desktop answers the hello
// with a fresh key, which the recorded proof does not match.
func TestReplayedPairingTranscript(t *testing.T) {
	ctx := context.Background()
	desk, phone := open(t, "desktop.db", schema.Desktop), open(t, "phone.db", schema.Mobile)
	s, addr := serve(t, desk)
	code, err := s.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	id, err := loadIdentity(ctx, phone)
	if err != nil {
		t.Fatal(err)
	}
	var serverFP []byte
	client := httpClient(id, func(der []byte) error { serverFP = fingerprint(der); return nil })
	var info infoJSON
	if err := call(ctx, client, http.MethodGet, addr, "/v1/info", nil, &info); err != nil {
		t.Fatal(err)
	}
	// A pairing, recorded.
	c, hello, err := pairing.Join(code, serverFP, id.fp)
	if err != nil {
		t.Fatal(err)
	}
	helloMsg := helloJSON{SID: hello.SID, Y: hello.Y}
	var reply replyJSON
	if err := call(ctx, client, http.MethodPost, addr, "/v1/pair/hello", helloMsg, &reply); err != nil {
		t.Fatal(err)
	}
	tok, _ := id.token(info.NodeID)
	me := pairing.Identity{NodeID: phone.NodeID(), Name: "phone", Platform: "test", CertFingerprint: id.fp, Token: tok}
	fin, err := c.Confirm(pairing.Reply{Y: reply.Y, MAC: reply.MAC}, me)
	if err != nil {
		t.Fatal(err)
	}
	finishMsg := finishJSON{Session: reply.Session, MAC: fin.MAC, Identity: fromIdentity(me)}
	var welcome welcomeJSON
	if err := call(ctx, client, http.MethodPost, addr, "/v1/pair/finish", finishMsg, &welcome); err != nil {
		t.Fatal(err)
	}
	before := dump(t, desk)

	// The finish again, in its own session: gone.
	if err := call(ctx, client, http.MethodPost, addr, "/v1/pair/finish", finishMsg, &welcome); !errors.Is(err, ErrRefused) {
		t.Errorf("the recorded finish again: %v", err)
	}
	// The hello again, while the code it was for is used up: refused.
	var again replyJSON
	if err := call(ctx, client, http.MethodPost, addr, "/v1/pair/hello", helloMsg, &again); !errors.Is(err, ErrRefused) {
		t.Errorf("the recorded hello for a used code: %v", err)
	}
	// The hello again, while a new code is shown: a new reply (a fresh
	// scalar), which the recorded finish does not prove.
	if _, err := s.NewCode(); err != nil {
		t.Fatal(err)
	}
	if err := call(ctx, client, http.MethodPost, addr, "/v1/pair/hello", helloMsg, &again); err != nil {
		t.Fatalf("the recorded hello: %v", err)
	}
	if bytes.Equal(again.Y, reply.Y) {
		t.Error("the desktop answered a replayed hello with the same message")
	}
	replayed := finishMsg
	replayed.Session = again.Session
	if err := call(ctx, client, http.MethodPost, addr, "/v1/pair/finish", replayed, &welcome); !errors.Is(err, ErrWrongCode) {
		t.Errorf("the recorded finish in the replayed hello's session: %v", err)
	}
	if dump(t, desk) != before {
		t.Error("replayed pairing messages changed the desktop's database")
	}
}
