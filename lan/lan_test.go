package lan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/lww"
	"github.com/capture-sync/capture/schema"
)

func open(t *testing.T, name string, p schema.Profile) *capture.Engine {
	t.Helper()
	e, err := capture.Open(context.Background(), filepath.Join(t.TempDir(), name), capture.Options{Profile: p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// serve starts a desktop's server on loopback and returns it and its
// address.
func serve(t *testing.T, desk *capture.Engine) (*Server, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := NewServer(ctx, desk, ServerOptions{Name: "desktop", Platform: "linux", MaxSyncBody: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s, ln.Addr().String()
}

// pair pairs phone with the desktop behind s.
func pair(t *testing.T, s *Server, addr string, phone *capture.Engine) capture.Device {
	t.Helper()
	code, err := s.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	d, err := Pair(context.Background(), phone, addr, code, ClientOptions{Name: "phone", Platform: "android"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// dump is a checksum of everything a database holds.
func dump(t *testing.T, e *capture.Engine) [32]byte {
	t.Helper()
	return sha256.Sum256([]byte(sqlitetest.Dump(t, e.Conn())))
}

// verified fails the test unless each database's tables match its sync
// state (lww.Verify), checked over an engine of its own, as another
// process would: the server may hold the engine's connection.
func verified(t *testing.T, engines ...*capture.Engine) {
	t.Helper()
	for _, e := range engines {
		path := e.Conn().Filename("main").String()
		other, err := capture.Open(context.Background(), path, capture.Options{Profile: e.Profile()})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := lww.Verify(context.Background(), other, lww.VerifyOptions{Limit: 10})
		other.Close()
		if err != nil {
			t.Fatalf("verify %s: %v", path, err)
		}
		for _, v := range rep.Violations {
			t.Errorf("%s: %v", filepath.Base(path), v)
		}
	}
}

func rows(t *testing.T, e *capture.Engine, sql string) string {
	t.Helper()
	return fmt.Sprint(sqlitetest.Rows(t, e.Conn(), sql))
}

// TestPairAndSync: a phone pairs by code, and rounds carry edits both ways.
func TestPairAndSync(t *testing.T) {
	ctx := context.Background()
	desk, phone := open(t, "desktop.db", schema.Desktop), open(t, "phone.db", schema.Mobile)
	s, addr := serve(t, desk)
	d := pair(t, s, addr, phone)
	if d.ID != desk.NodeID() || d.Name != "desktop" || len(d.CertSHA256) != 32 || d.Address != addr {
		t.Errorf("the phone paired %+v", d)
	}
	pd, err := desk.Device(ctx, phone.NodeID())
	if err != nil || pd.Name != "phone" || pd.Platform != "android" || len(pd.CertSHA256) != 32 {
		t.Fatalf("the desktop paired %+v (%v)", pd, err)
	}
	sqlitetest.Exec(t, desk.Conn(), `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'From the desktop', 'd', 'd')`)
	sqlitetest.Exec(t, phone.Conn(), `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r2', 'u2', 'From the phone', 'd', 'd')`)
	r, err := Sync(ctx, phone, "", SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Desktop != desk.NodeID() || r.Sent.Rows == 0 || r.Received.Won == 0 {
		t.Errorf("round %+v", r)
	}
	verified(t, desk, phone)
	sqlitetest.Exec(t, phone.Conn(), `UPDATE discovery_releases SET notes = 'edited on the phone' WHERE id = 'r1'`)
	for range 2 {
		if _, err := Sync(ctx, phone, "", SyncOptions{}); err != nil {
			t.Fatal(err)
		}
		verified(t, desk, phone)
	}
	const q = `SELECT id, title, notes FROM discovery_releases ORDER BY id`
	if a, b := rows(t, desk, q), rows(t, phone, q); a != b || !strings.Contains(a, "edited on the phone") || !strings.Contains(a, "From the phone") {
		t.Errorf("after the rounds:\ndesktop %s\nphone   %s", a, b)
	}
}

// TestPairingRefusals: a wrong code pairs nothing, and the code locks
// after five; a used code does not pair again.
func TestPairingRefusals(t *testing.T) {
	ctx := context.Background()
	desk, phone := open(t, "desktop.db", schema.Desktop), open(t, "phone.db", schema.Mobile)
	s, addr := serve(t, desk)
	code, err := s.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "000001"
	}
	before := dump(t, desk)
	for range 5 {
		if _, err := Pair(ctx, phone, addr, wrong, ClientOptions{}); !errors.Is(err, ErrWrongCode) {
			t.Fatalf("a wrong code: %v", err)
		}
	}
	if _, err := Pair(ctx, phone, addr, code, ClientOptions{}); !errors.Is(err, ErrRefused) {
		t.Errorf("the right code after 5 wrong ones: %v", err)
	}
	if dump(t, desk) != before {
		t.Error("refused pairings changed the desktop's database")
	}
	code, err = s.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Pair(ctx, phone, addr, code, ClientOptions{}); err != nil {
		t.Fatal(err)
	}
	other := open(t, "other.db", schema.Mobile)
	if _, err := Pair(ctx, other, addr, code, ClientOptions{}); !errors.Is(err, ErrRefused) {
		t.Errorf("a code used twice: %v", err)
	}
	if _, err := Pair(ctx, other, addr, "", ClientOptions{}); err == nil {
		t.Error("an empty code paired")
	}
}

// TestSyncRefusals: requests that are not a paired device's, with its
// token and its pinned certificate, get 401 and change nothing; junk
// bodies get 400.
func TestSyncRefusals(t *testing.T) {
	ctx := context.Background()
	desk, phone, other := open(t, "desktop.db", schema.Desktop), open(t, "phone.db", schema.Mobile), open(t, "other.db", schema.Mobile)
	s, addr := serve(t, desk)
	pair(t, s, addr, phone)
	pair(t, s, addr, other)
	sqlitetest.Exec(t, phone.Conn(), `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r2', 'u2', 'x', 'd', 'd')`)
	phoneID, err := loadIdentity(ctx, phone)
	if err != nil {
		t.Fatal(err)
	}
	otherID, err := loadIdentity(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	deskFP := func(der []byte) error { return nil }
	post := func(id *identity, device string, token []byte, body io.Reader) int {
		t.Helper()
		c := httpClient(id, deskFP)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+addr+"/v1/sync", body)
		req.Header.Set(headerDevice, device)
		if token != nil {
			req.Header.Set("Authorization", "Bearer "+b64(token))
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	phoneTok, _ := phoneID.token(desk.NodeID())
	otherTok, _ := otherID.token(desk.NodeID())
	var cs bytes.Buffer
	if _, err := phone.Export(ctx, &cs, capture.ExportOptions{Peer: desk.NodeID()}); err != nil {
		t.Fatal(err)
	}
	whole := compressed(t, cs.Bytes())
	var others, claiming bytes.Buffer
	if _, err := other.Export(ctx, &others, capture.ExportOptions{Peer: desk.NodeID()}); err != nil {
		t.Fatal(err)
	}
	// The other device's changeset, listing this one's id as its former
	// one, as if it were this device under a new id: it is paired itself,
	// so it speaks only for itself.
	sqlitetest.Exec(t, other.Conn(), `UPDATE sync_state SET former_node_ids = '`+phone.NodeID()+`'`)
	if _, err := other.Export(ctx, &claiming, capture.ExportOptions{Peer: desk.NodeID()}); err != nil {
		t.Fatal(err)
	}
	sqlitetest.Exec(t, other.Conn(), `UPDATE sync_state SET former_node_ids = NULL`)
	var wide bytes.Buffer
	zw, err := zstd.NewWriter(&wide, zstd.WithWindowSize(128<<20), zstd.WithSingleSegment(false))
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(bytes.Repeat([]byte("x"), 1<<20))
	zw.Close()
	before := dump(t, desk)
	for _, tc := range []struct {
		name   string
		id     *identity
		device string
		token  []byte
		body   io.Reader
		want   int
	}{
		{"no token", phoneID, phone.NodeID(), nil, nil, http.StatusUnauthorized},
		{"wrong token", phoneID, phone.NodeID(), bytes.Repeat([]byte{1}, 32), nil, http.StatusUnauthorized},
		{"another device's token", phoneID, phone.NodeID(), otherTok, nil, http.StatusUnauthorized},
		{"a forged id with another device's valid token and certificate", otherID, phone.NodeID(), otherTok, nil, http.StatusUnauthorized},
		{"an unpaired device", phoneID, "0000000000000000", phoneTok, nil, http.StatusUnauthorized},
		{"a junk body", phoneID, phone.NodeID(), phoneTok, strings.NewReader("not zstd"), http.StatusBadRequest},
		{"junk in zstd", phoneID, phone.NodeID(), phoneTok, bytes.NewReader(compressed(t, []byte("not a changeset"))), http.StatusBadRequest},
		{"another paired device's changeset, sent with this one's token", phoneID, phone.NodeID(), phoneTok, bytes.NewReader(compressed(t, others.Bytes())), http.StatusBadRequest},
		{"another paired device's changeset claiming this one as its former id", phoneID, phone.NodeID(), phoneTok, bytes.NewReader(compressed(t, claiming.Bytes())), http.StatusBadRequest},
		{"a changeset cut short", phoneID, phone.NodeID(), phoneTok, bytes.NewReader(whole[:len(whole)/2]), http.StatusBadRequest},
		{"a stream asking for a 128 MiB window", phoneID, phone.NodeID(), phoneTok, bytes.NewReader(wide.Bytes()), http.StatusBadRequest},
		{"an oversized body", phoneID, phone.NodeID(), phoneTok, bytes.NewReader(randomBytes(t, 2<<20)), http.StatusRequestEntityTooLarge},
	} {
		if got := post(tc.id, tc.device, tc.token, tc.body); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	if dump(t, desk) != before {
		t.Error("refused rounds changed the desktop's database")
	}
	// A revoked device is refused.
	if err := desk.Unpair(ctx, phone.NodeID()); err != nil {
		t.Fatal(err)
	}
	if _, err := Sync(ctx, phone, "", SyncOptions{}); !errors.Is(err, ErrRefused) {
		t.Errorf("a revoked device: %v", err)
	}
	// A desktop whose certificate is not the pinned one is refused by the
	// phone.
	if err := other.PinDevice(ctx, desk.NodeID(), bytes.Repeat([]byte{7}, 32), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := Sync(ctx, other, "", SyncOptions{}); !errors.Is(err, ErrPin) {
		t.Errorf("a desktop with another certificate: %v", err)
	}
}

// TestSyncProgress: a round reports its bytes as it goes, and once at its
// end with the totals.
func TestSyncProgress(t *testing.T) {
	ctx := context.Background()
	desk, phone := open(t, "desktop.db", schema.Desktop), open(t, "phone.db", schema.Mobile)
	s, addr := serve(t, desk)
	pair(t, s, addr, phone)
	sqlitetest.Exec(t, desk.Conn(), bulkEdits("d", 500))
	sqlitetest.Exec(t, phone.Conn(), bulkEdits("p", 500))
	var got []Progress
	if _, err := Sync(ctx, phone, "", SyncOptions{ProgressEvery: time.Millisecond, Progress: func(p Progress) { got = append(got, p) }}); err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 {
		t.Fatalf("%d progress reports, want some and the last", len(got))
	}
	last := got[len(got)-1]
	if !last.Done || last.Sent < 1000 || last.Received < 1000 {
		t.Errorf("the last report: %+v", last)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Sent < got[i-1].Sent || got[i].Received < got[i-1].Received || got[i-1].Done {
			t.Errorf("report %d %+v after %+v", i, got[i], got[i-1])
		}
	}
}

// TestSlowPairingBody: a pairing request whose body trickles in is cut
// once its read time is up, rather than holding the connection.
func TestSlowPairingBody(t *testing.T) {
	defer func(d time.Duration) { pairingReadTime = d }(pairingReadTime)
	pairingReadTime = 300 * time.Millisecond
	desk, phone := open(t, "desktop.db", schema.Desktop), open(t, "phone.db", schema.Mobile)
	_, addr := serve(t, desk)
	id, err := loadIdentity(context.Background(), phone)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write([]byte(`{"sid":`)) // and nothing more
	req, _ := http.NewRequest(http.MethodPost, "https://"+addr+"/v1/pair/hello", pr)
	start := time.Now()
	resp, err := httpClient(id, func([]byte) error { return nil }).Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Fatalf("a body that never ended: %d", resp.StatusCode)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the server waited %v for the body", d)
	}
}

// TestReceivedIsNotSentBack: a phone's round after its first sends the
// desktop its own edit alone, not what it received: here a collection that
// predates capture, whose records' origin is "adopted", not the desktop.
func TestReceivedIsNotSentBack(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "desktop.db")
	sqlitetest.Exec(t, sqlitetest.DesktopV2(t, path), `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
		INSERT INTO discovery_releases (id, url, title, date_added, date_modified) SELECT 'bulk' || i, 'https://bulk.example/' || i, 'Bulk ' || i, 'd', 'd' FROM n`)
	desk, err := capture.Open(ctx, path, capture.Options{Profile: schema.Desktop})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { desk.Close() })
	phone := open(t, "phone.db", schema.Mobile)
	s, addr := serve(t, desk)
	pair(t, s, addr, phone)
	r, err := Sync(ctx, phone, "", SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Received.Won < 100 {
		t.Fatalf("first round %+v", r)
	}
	sqlitetest.Exec(t, phone.Conn(), `UPDATE discovery_releases SET notes = 'edited on the phone' WHERE id = 'bulk7'`)
	if r, err = Sync(ctx, phone, "", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	if r.Sent.Fields != 1 || r.Sent.Rows != 0 || r.Received.Records != 0 {
		t.Errorf("second round sent %d fields and %d rows, received %d records; want 1, 0 and 0", r.Sent.Fields, r.Sent.Rows, r.Received.Records)
	}
	const q = `SELECT notes FROM discovery_releases WHERE id = 'bulk7'`
	if a := rows(t, desk, q); a != `[["edited on the phone"]]` {
		t.Errorf("bulk7 on the desktop: %s", a)
	}
}
