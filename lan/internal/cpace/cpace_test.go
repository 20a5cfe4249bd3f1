package cpace

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// The string utilities, against the draft's test vectors.
func TestStringVectors(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  []byte
		want string
	}{
		{"prepend_len(b\"\")", prependLen(nil), "00"},
		{"prepend_len(b\"1234\")", prependLen([]byte("1234")), "0431323334"},
		{"prepend_len(127 bytes)", prependLen(seq(127)), "7f" + hex.EncodeToString(seq(127))},
		{"prepend_len(128 bytes)", prependLen(seq(128)), "8001" + hex.EncodeToString(seq(128))},
		{"lv_cat", lvCat([]byte("1234"), []byte("5"), nil, []byte("678")), "043132333401350003363738"},
		{"transcript_ir 1", transcriptIR([]byte("123"), []byte("PartyA"), []byte("234"), []byte("PartyB")),
			"03313233065061727479410332333406506172747942"},
		{"transcript_ir 2", transcriptIR([]byte("3456"), []byte("PartyA"), []byte("2345"), []byte("PartyB")),
			"043334353606506172747941043233343506506172747942"},
	} {
		if got := hex.EncodeToString(tc.got); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// The ristretto255/SHA-512 test vectors of the draft ("Test vector for
// CPace using group ristretto255 and hash SHA-512").
func TestRistretto255Vectors(t *testing.T) {
	prs := []byte("Password")
	ci := unhex(t, "0b415f696e69746961746f720b425f726573706f6e646572")
	sid := unhex(t, "7e4b4791d6a8ef019b936c79fb7f2c57")
	genStr := generatorString([]byte(DSI), prs, ci, sid, 128)
	if want := unhex(t, `11435061636552697374726574746f3235350850617373776f726464
		00000000000000000000000000000000000000000000000000000000
		00000000000000000000000000000000000000000000000000000000
		00000000000000000000000000000000000000000000000000000000
		00000000000000000000000000000000180b415f696e69746961746f
		720b425f726573706f6e646572107e4b4791d6a8ef019b936c79fb7f
		2c57`); !bytes.Equal(genStr, want) {
		t.Errorf("generator_string = %x", genStr)
	}
	if g := generator(prs, ci, sid).Encode(nil); !bytes.Equal(g, unhex(t, "222b6b195fe84b1652badb6f6a3ae3d24341e7306967f0b8115b40d5698c7e56")) {
		t.Errorf("g = %x", g)
	}
	a, err := start(prs, ci, sid, []byte("ADa"), unhex(t, "da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4ff0976d08"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := start(prs, ci, sid, []byte("ADb"), unhex(t, "d2316b454718c35362d83d69df6320f38578ed5984651435e2949762d900b80d"))
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0eec482b9157"); !bytes.Equal(a.Message(), want) {
		t.Errorf("Ya = %x", a.Message())
	}
	if want := unhex(t, "3ea7e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7433f7258"); !bytes.Equal(b.Message(), want) {
		t.Errorf("Yb = %x", b.Message())
	}
	K, err := scalarMultVfy(a.y, b.Message())
	if err != nil || !bytes.Equal(K, unhex(t, "80b69a8a76457ab6a4d7f887a4bf6b55a2f80ac19c333f917a05fc9887c8b40f")) {
		t.Errorf("K = %x, %v", K, err)
	}
	wantISK := unhex(t, `b69effbf61b51d56401c0f65601abe428de8206feaaf0e32198896dc
		ae7b35cd2b38950a39dfd5d4a79164614c2984f7daa460b588c1e80c
		3fa2068af7900447`)
	iskA, err := a.Finish(b.Message(), []byte("ADb"), true)
	if err != nil || !bytes.Equal(iskA, wantISK) {
		t.Errorf("initiator's ISK = %x, %v", iskA, err)
	}
	iskB, err := b.Finish(a.Message(), []byte("ADa"), false)
	if err != nil || !bytes.Equal(iskB, wantISK) {
		t.Errorf("responder's ISK = %x, %v", iskB, err)
	}
}

// Runs with fresh scalars agree when the secrets agree, and only then; a
// peer message that is not a group element, or is the identity, aborts.
func TestRuns(t *testing.T) {
	ci, sid := []byte("\x07desktop\x05phone"), []byte("0123456789abcdef")
	run := func(codeA, codeB string) ([]byte, []byte) {
		a, err := Start([]byte(codeA), ci, sid, []byte("a"), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Start([]byte(codeB), ci, sid, []byte("b"), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		ka, err := a.Finish(b.Message(), []byte("b"), true)
		if err != nil {
			t.Fatal(err)
		}
		kb, err := b.Finish(a.Message(), []byte("a"), false)
		if err != nil {
			t.Fatal(err)
		}
		return ka, kb
	}
	if ka, kb := run("482913", "482913"); !bytes.Equal(ka, kb) {
		t.Error("the same code gave different keys")
	}
	if ka, kb := run("482913", "482914"); bytes.Equal(ka, kb) {
		t.Error("different codes gave the same key")
	}
	a, err := Start([]byte("482913"), ci, sid, nil, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, msg := range map[string][]byte{
		"identity":    make([]byte, ElementSize),
		"not a point": bytes.Repeat([]byte{0xff}, ElementSize),
		"short":       {1, 2, 3},
		"empty":       nil,
	} {
		if _, err := a.Finish(msg, nil, true); !errors.Is(err, ErrInvalidPeerElement) {
			t.Errorf("%s: got %v, want ErrInvalidPeerElement", name, err)
		}
	}
}
