package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/capture-sync/capture/capture/changeset"
)

// TestProgress checks the progress line: shown every so many records while
// a changeset streams through, erased at the end, and never shown when
// stderr is not a terminal.
func TestProgress(t *testing.T) {
	if p := startProgress(&bytes.Buffer{}, "applying"); p != nil {
		t.Errorf("progress on a buffer, which is not a terminal")
	}
	var nilProgress *progress
	if n, err := nilProgress.Write([]byte("x")); n != 1 || err != nil {
		t.Errorf("nil progress Write: %d, %v", n, err)
	}
	nilProgress.stop()

	var out, cs bytes.Buffer
	p := newProgress(&out, "exporting", 2)
	w, err := changeset.NewWriter(watchWriter(&cs, p), changeset.Header{Origin: "0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := w.Write(changeset.Record{Kind: changeset.Field, Table: "t", Entity: int64(i), Field: "f",
			Value: "v", HasValue: true, HLC: 1 << 20, Origin: "0123456789abcdef", Seq: int64(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p.stop()
	if want := "\rexporting: 2 records…\rexporting: 4 records…\r\033[K"; out.String() != want {
		t.Errorf("progress wrote %q, want %q", out.String(), want)
	}

	// Reading through it; a stream it cannot decode shows nothing and
	// still reaches the reader whole.
	out.Reset()
	p = newProgress(&out, "applying", 1)
	got, err := io.ReadAll(watchReader(strings.NewReader("not a changeset"), p))
	p.stop()
	if err != nil || string(got) != "not a changeset" || out.Len() != 0 {
		t.Errorf("read %q (%v), progress %q", got, err, out.String())
	}
}
