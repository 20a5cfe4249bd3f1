package lan

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/lan/internal/pairing"
)

// Errors of the client.
var (
	// ErrWrongCode: the desktop did not prove the code (a wrong code, or
	// someone in the middle of the connection).
	ErrWrongCode = pairing.ErrWrongCode
	// ErrNotPaired: this device has no desktop paired over the network.
	ErrNotPaired = errors.New("lan: no desktop is paired over the network: pair with a code first")
	// ErrRefused: the desktop refused the request; the error says why.
	ErrRefused = errors.New("lan: the desktop refused")
	// ErrPin: the desktop's certificate is not the one pinned (or changed
	// during pairing).
	ErrPin = errors.New("lan: the desktop's certificate is not the one pinned")
)

// ClientOptions describe this device to the desktop, for Pair.
type ClientOptions struct {
	Name, Platform string
	// Timeout bounds each pairing request (30 s by default).
	Timeout time.Duration
}

// infoJSON is GET /v1/info: what mDNS advertises too.
type infoJSON struct {
	NodeID   string `json:"node_id"`
	Protocol int    `json:"protocol"`
}

// Protocol is the version of the protocol this package speaks.
const Protocol = 1

// Pair pairs e's device with the desktop at addr (host:port) by the code
// the desktop shows, and returns the desktop as now paired: its
// certificate is pinned, and addr kept for Sync.
func Pair(ctx context.Context, e *capture.Engine, addr, code string, opts ClientOptions) (capture.Device, error) {
	id, err := loadIdentity(ctx, e)
	if err != nil {
		return capture.Device{}, err
	}
	// Every request must meet one certificate: the one that goes into
	// the PAKE, and is pinned.
	var serverFP []byte
	client := httpClient(id, func(der []byte) error {
		fp := fingerprint(der)
		if serverFP != nil && !bytes.Equal(fp, serverFP) {
			return ErrPin
		}
		serverFP = fp
		return nil
	})
	if opts.Timeout == 0 {
		opts.Timeout = 30 * time.Second
	}
	client.Timeout = opts.Timeout
	var info infoJSON
	if err := call(ctx, client, http.MethodGet, addr, "/v1/info", nil, &info); err != nil {
		return capture.Device{}, err
	}
	c, hello, err := pairing.Join(code, serverFP, id.fp)
	if err != nil {
		return capture.Device{}, err
	}
	var reply replyJSON
	if err := call(ctx, client, http.MethodPost, addr, "/v1/pair/hello", helloJSON{SID: hello.SID, Y: hello.Y}, &reply); err != nil {
		return capture.Device{}, err
	}
	tok, err := id.token(info.NodeID)
	if err != nil {
		return capture.Device{}, err
	}
	me := pairing.Identity{NodeID: e.NodeID(), Name: opts.Name, Platform: opts.Platform, CertFingerprint: id.fp, Token: tok}
	fin, err := c.Confirm(pairing.Reply{Y: reply.Y, MAC: reply.MAC}, me)
	if err != nil {
		return capture.Device{}, fmt.Errorf("lan: pair with %s: %w", addr, err)
	}
	var welcome welcomeJSON
	err = call(ctx, client, http.MethodPost, addr, "/v1/pair/finish", finishJSON{Session: reply.Session, MAC: fin.MAC, Identity: fromIdentity(me)}, &welcome)
	if err != nil {
		return capture.Device{}, err
	}
	desk, err := c.Welcomed(pairing.Welcome{Identity: toIdentity(welcome.Identity), MAC: welcome.MAC})
	if err != nil {
		return capture.Device{}, fmt.Errorf("lan: pair with %s: %w", addr, err)
	}
	if desk.NodeID != info.NodeID || !bytes.Equal(desk.CertFingerprint, serverFP) {
		return capture.Device{}, fmt.Errorf("lan: pair with %s: the desktop's identity does not match its certificate: %w", addr, ErrPin)
	}
	d := capture.Device{ID: desk.NodeID, Name: desk.Name, Platform: desk.Platform}
	// Pairing again starts afresh, as it does on the desktop: the cursors
	// go back to zero, and the first round brings a snapshot.
	if err := e.Unpair(ctx, d.ID); err != nil && !errors.Is(err, capture.ErrUnknownDevice) {
		return capture.Device{}, err
	}
	if err := e.Pair(ctx, d, desk.Token); err != nil {
		return capture.Device{}, err
	}
	if err := e.PinDevice(ctx, d.ID, serverFP, addr); err != nil {
		return capture.Device{}, err
	}
	return e.Device(ctx, d.ID)
}

// httpClient is a client that presents id's certificate and checks the
// server's with check (instead of a CA: the peers' certificates are
// self-signed, and pinned).
func httpClient(id *identity, check func(der []byte) error) *http.Client {
	cfg := &tls.Config{
		Certificates:       []tls.Certificate{id.cert},
		MinVersion:         tls.VersionTLS13,
		InsecureSkipVerify: true, // verified by check, against the pin
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return ErrPin
			}
			return check(raw[0])
		},
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: false, MaxIdleConnsPerHost: 1,
		IdleConnTimeout: 30 * time.Second, TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: 0}}
}

// call sends a JSON request (body nil for none) and decodes the JSON
// answer into out; a refusal is an error wrapping ErrRefused.
func call(ctx context.Context, client *http.Client, method, addr, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "https://"+addr+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("lan: %s: %w", path, err)
	}
	defer resp.Body.Close()
	if err := refusal(resp); err != nil {
		return err
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, MaxPairingBody)).Decode(out); err != nil {
		return fmt.Errorf("lan: %s: malformed answer: %w", path, err)
	}
	return nil
}

// refusal returns the error of a response that is not 200.
func refusal(resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var e errorJSON
	json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&e)
	if e.Error == pairing.ErrWrongCode.Error() {
		return fmt.Errorf("%w (%d): %w", ErrRefused, resp.StatusCode, ErrWrongCode)
	}
	return fmt.Errorf("%w (%d): %s", ErrRefused, resp.StatusCode, e.Error)
}
