// Package cpace implements CPace, the balanced password-authenticated key
// exchange of draft-irtf-cfrg-cpace, with the group ristretto255 and the
// hash SHA-512 (the draft's CPACE-RISTR255-SHA512 suite), in its
// initiator-responder setting.
//
// Two parties that share a low-entropy secret (a 6-digit pairing code)
// each send one group element and derive the same 64-byte intermediate
// session key (ISK) only if they used the same secret. Someone who records
// the messages learns nothing that lets them test codes offline; an active
// attacker gets one guess per run. The ISK is not yet confirmed: the caller
// must prove knowledge of it to the peer (a MAC over the transcript) before
// trusting anything it protects.
//
// The group arithmetic is github.com/gtank/ristretto255; the string
// encodings (prepend_len, lv_cat, generator_string, transcript_ir) follow
// the draft and are checked against its test vectors.
package cpace

import (
	"crypto/sha512"
	"errors"
	"fmt"
	"io"

	"github.com/gtank/ristretto255"
)

// DSI is the suite's domain separation string.
const DSI = "CPaceRistretto255"

// ElementSize is the size of an encoded group element, a party's message.
const ElementSize = 32

// ErrInvalidPeerElement is returned when the peer's message is not the
// encoding of a group element, or gives the identity: the run must be
// aborted.
var ErrInvalidPeerElement = errors.New("cpace: peer's message is not a valid group element")

// Party is one side of a CPace run.
type Party struct {
	y   *ristretto255.Scalar
	msg []byte
	ad  []byte
	sid []byte
}

// Start begins a run: it derives the generator from the shared secret prs,
// the channel identifier ci (the parties' identities, in a fixed order) and
// the session id sid (chosen fresh for the run, known to both), samples
// the party's secret scalar from rand, and returns the party. ad is the
// party's associated data, sent along with its message.
func Start(prs, ci, sid, ad []byte, rand io.Reader) (*Party, error) {
	var buf [32]byte
	if _, err := io.ReadFull(rand, buf[:]); err != nil {
		return nil, fmt.Errorf("cpace: sample a scalar: %w", err)
	}
	buf[31] &= 0x0f // at most 252 bits: below the group order
	return start(prs, ci, sid, ad, buf[:])
}

// start is Start with the scalar given, little-endian (for test vectors).
func start(prs, ci, sid, ad, scalar []byte) (*Party, error) {
	y := ristretto255.NewScalar()
	if err := y.Decode(scalar); err != nil {
		return nil, fmt.Errorf("cpace: scalar: %w", err)
	}
	g := generator(prs, ci, sid)
	Y := ristretto255.NewElement().ScalarMult(y, g)
	return &Party{y: y, msg: Y.Encode(nil), ad: append([]byte(nil), ad...), sid: append([]byte(nil), sid...)}, nil
}

// Message returns the party's message, to send to the peer with its
// associated data.
func (p *Party) Message() []byte { return append([]byte(nil), p.msg...) }

// Finish takes the peer's message and associated data and returns the ISK.
// initiator says whether this party is the initiator (its message and data
// come first in the transcript). It returns ErrInvalidPeerElement for a
// message that is not a group element or that gives the identity.
func (p *Party) Finish(peerMsg, peerAD []byte, initiator bool) ([]byte, error) {
	K, err := scalarMultVfy(p.y, peerMsg)
	if err != nil {
		return nil, err
	}
	var tr []byte
	if initiator {
		tr = transcriptIR(p.msg, p.ad, peerMsg, peerAD)
	} else {
		tr = transcriptIR(peerMsg, peerAD, p.msg, p.ad)
	}
	return isk(p.sid, K, tr), nil
}

// scalarMultVfy decodes X and returns the encoding of y*X, or an error when
// X does not decode or y*X is the identity.
func scalarMultVfy(y *ristretto255.Scalar, X []byte) ([]byte, error) {
	if len(X) != ElementSize {
		return nil, ErrInvalidPeerElement
	}
	e := ristretto255.NewElement()
	if err := e.Decode(X); err != nil {
		return nil, ErrInvalidPeerElement
	}
	K := ristretto255.NewElement().ScalarMult(y, e)
	if K.Equal(ristretto255.NewElement().Zero()) == 1 {
		return nil, ErrInvalidPeerElement
	}
	return K.Encode(nil), nil
}

// isk is H.hash(lv_cat(DSI || "_ISK", sid, K) || transcript).
func isk(sid, K, transcript []byte) []byte {
	h := sha512.New()
	h.Write(lvCat([]byte(DSI+"_ISK"), sid, K))
	h.Write(transcript)
	return h.Sum(nil)
}

// generator derives the run's generator from the secret, the channel
// identifier and the session id.
func generator(prs, ci, sid []byte) *ristretto255.Element {
	sum := sha512.Sum512(generatorString([]byte(DSI), prs, ci, sid, sha512.BlockSize))
	return ristretto255.NewElement().FromUniformBytes(sum[:])
}

// generatorString is the draft's generator_string: the fields with their
// lengths, zero padding filling the first hash block after DSI and PRS.
func generatorString(dsi, prs, ci, sid []byte, blockSize int) []byte {
	zpad := max(0, blockSize-1-len(prependLen(prs))-len(prependLen(dsi)))
	return lvCat(dsi, prs, make([]byte, zpad), ci, sid)
}

// transcriptIR is the initiator-responder transcript.
func transcriptIR(ya, ada, yb, adb []byte) []byte {
	return append(lvCat(ya, ada), lvCat(yb, adb)...)
}

// lvCat concatenates its arguments, each with its length prepended.
func lvCat(args ...[]byte) []byte {
	var out []byte
	for _, a := range args {
		out = append(out, prependLen(a)...)
	}
	return out
}

// prependLen prepends the LEB128 encoding of data's length.
func prependLen(data []byte) []byte {
	var out []byte
	n := len(data)
	for {
		if n < 128 {
			out = append(out, byte(n))
		} else {
			out = append(out, byte(n&0x7f|0x80))
		}
		n >>= 7
		if n == 0 {
			break
		}
	}
	return append(out, data...)
}
