package lan

import (
	"context"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"

	"github.com/capture-sync/capture/capture"
)

// identity is this device's TLS certificate, made on first use and kept in
// its database (capture.Engine.TLSIdentity), which its peers pin.
type identity struct {
	cert tls.Certificate
	fp   []byte // SHA-256 of the certificate
	key  ed25519.PrivateKey
}

// loadIdentity reads this device's identity, making and storing one the
// first time.
func loadIdentity(ctx context.Context, e *capture.Engine) (*identity, error) {
	for range 2 {
		der, keyDER, err := e.TLSIdentity(ctx)
		if err != nil {
			return nil, err
		}
		if der != nil {
			k, err := x509.ParsePKCS8PrivateKey(keyDER)
			if err != nil {
				return nil, fmt.Errorf("lan: this device's TLS key: %w", err)
			}
			key, ok := k.(ed25519.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("lan: this device's TLS key is a %T, not Ed25519", k)
			}
			return &identity{cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, fp: fingerprint(der), key: key}, nil
		}
		der, keyDER, err = newCertificate(e.NodeID())
		if err != nil {
			return nil, err
		}
		if _, err := e.SetTLSIdentity(ctx, der, keyDER); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("lan: the TLS identity was not stored")
}

// newCertificate makes a self-signed Ed25519 certificate for the node.
func newCertificate(node string) (cert, key []byte, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "capture " + node},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(100, 0, 0), // pinned, never checked against a date
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	if cert, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv); err != nil {
		return nil, nil, fmt.Errorf("lan: make a certificate: %w", err)
	}
	if key, err = x509.MarshalPKCS8PrivateKey(priv); err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

// fingerprint is the SHA-256 of a certificate.
func fingerprint(der []byte) []byte {
	sum := sha256.Sum256(der)
	return sum[:]
}

// token is the secret this device proves to peer in each request: derived
// from its private key, so that it is stored nowhere in the clear here;
// the peer stores its hash (capture.Engine.Pair).
func (id *identity) token(peer string) ([]byte, error) {
	return hkdf.Key(sha512.New, id.key.Seed(), nil, "capture lan token for "+peer, 32)
}
