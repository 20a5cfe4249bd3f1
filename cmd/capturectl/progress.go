package main

import (
	"fmt"
	"io"
	"os"

	"github.com/capture-sync/capture/capture/changeset"
)

// progressEvery is how many records pass between two updates of the
// progress line: small changesets never show one.
const progressEvery = 100_000

// isTerminal reports whether w is a terminal (a character device), where a
// progress line rewritten in place makes sense.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress counts the records of a changeset streaming through it and
// rewrites one line on out ("applying: 300000 records…") every `every`
// records. The engine has no progress hook, so it decodes a copy of the
// stream alongside: feed it every byte, in order, through Write (as the
// writer of an io.MultiWriter or io.TeeReader), then call stop.
//
// It never fails the stream it watches: a copy it cannot decode just shows
// no progress.
type progress struct {
	pw    *io.PipeWriter
	done  chan struct{}
	out   io.Writer
	shown bool // set by the counting goroutine, read after done
}

// startProgress returns a progress that writes to out with the given label,
// or nil when out is not a terminal (nil's methods do nothing).
func startProgress(out io.Writer, label string) *progress {
	if !isTerminal(out) {
		return nil
	}
	return newProgress(out, label, progressEvery)
}

// newProgress starts the counting goroutine.
func newProgress(out io.Writer, label string, every uint64) *progress {
	pr, pw := io.Pipe()
	p := &progress{pw: pw, done: make(chan struct{}), out: out}
	go func() {
		defer close(p.done)
		// Keep draining, whatever happens, so that Write never blocks.
		defer io.Copy(io.Discard, pr) //nolint:errcheck // a pipe read fails only once closed
		r, err := changeset.NewReader(pr)
		if err != nil {
			return
		}
		for {
			if _, err := r.Next(); err != nil {
				return
			}
			if n := r.Count(); n%every == 0 {
				fmt.Fprintf(out, "\r%s: %d records…", label, n)
				p.shown = true
			}
		}
	}()
	return p
}

// Write passes b to the counter. It always succeeds.
func (p *progress) Write(b []byte) (int, error) {
	if p != nil {
		p.pw.Write(b) //nolint:errcheck // the counter drains until stop
	}
	return len(b), nil
}

// stop ends the counting and erases the progress line, if one was shown.
func (p *progress) stop() {
	if p == nil {
		return
	}
	p.pw.Close()
	<-p.done
	if p.shown {
		fmt.Fprint(p.out, "\r\033[K")
	}
}

// watchWriter returns w, copying what is written to p when p is not nil.
func watchWriter(w io.Writer, p *progress) io.Writer {
	if p == nil {
		return w
	}
	return io.MultiWriter(w, p)
}

// watchReader returns r, copying what is read to p when p is not nil.
func watchReader(r io.Reader, p *progress) io.Reader {
	if p == nil {
		return r
	}
	return io.TeeReader(r, p)
}
