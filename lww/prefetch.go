package lww

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/capture-sync/capture/capture/changeset"
)

// prefetch reads and sorts the changeset's batches on a goroutine of its
// own, one batch ahead of the apply: decoding the next batch overlaps with
// writing the current one, which is all SQLite work on the connection's
// goroutine. Two batches are in memory at a time.
//
// The goroutine is the only reader of the changeset once it starts. close
// makes sure no Read of the caller's reader starts afterwards, and waits
// for the goroutine unless it is inside a Read: a stalled stream must not
// hold up an Apply that has already failed. That one Read then returns
// into the goroutine, which stops.
type prefetch struct {
	src  *stoppableReader
	out  chan fetched
	free chan *batch
	stop chan struct{}
	done chan struct{}
}

// fetched is the next batch, sorted, or the error that ended the reading;
// read counts the records read so far. The last batch has eof set (it may
// be empty).
type fetched struct {
	b    *batch
	read int
	eof  bool
	err  error
}

// stoppableReader is the caller's reader as the changeset decoder sees it:
// once stopped, no Read of the caller's reader starts.
type stoppableReader struct {
	r       io.Reader
	mu      sync.Mutex
	stopped bool
	reading bool
}

var errStopped = errors.New("lww: reading stopped")

func (s *stoppableReader) Read(p []byte) (int, error) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return 0, errStopped
	}
	s.reading = true
	s.mu.Unlock()
	n, err := s.r.Read(p)
	s.mu.Lock()
	s.reading = false
	s.mu.Unlock()
	return n, err
}

// halt stops later Reads and reports whether one is under way.
func (s *stoppableReader) halt() (reading bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	return s.reading
}

func startPrefetch(cr *changeset.Reader, src *stoppableReader) *prefetch {
	p := &prefetch{src: src, out: make(chan fetched), free: make(chan *batch, 2),
		stop: make(chan struct{}), done: make(chan struct{})}
	go p.run(cr)
	return p
}

func (p *prefetch) run(cr *changeset.Reader) {
	defer close(p.done)
	read := 0
	for n := 0; ; n++ {
		var b *batch
		select {
		case b = <-p.free:
		default:
			b = &batch{}
		}
		b.limit = batchLimit(n)
		f := p.fill(cr, b, &read)
		select {
		case p.out <- f:
		case <-p.stop:
			return
		}
		if f.eof || f.err != nil {
			return
		}
	}
}

// fill reads records into b until it is full or the changeset ends, and
// sorts it. A panic (a decoder bug) comes back as the batch's error rather
// than ending the process from a goroutine the caller cannot recover.
func (p *prefetch) fill(cr *changeset.Reader, b *batch, read *int) (f fetched) {
	f.b = b
	defer func() {
		if r := recover(); r != nil {
			f.err = fmt.Errorf("reading the changeset: panic: %v", r)
		}
		f.read = *read
	}()
	for !b.full() {
		select {
		case <-p.stop:
			f.err = errStopped
			return f
		default:
		}
		rec, err := cr.Next()
		if err == io.EOF {
			f.eof = true
			break
		}
		if err != nil {
			f.err = err
			return f
		}
		*read++
		b.add(rec, *read)
	}
	b.sort()
	return f
}

// next returns the next batch (the goroutine has stopped after one with
// eof or err set).
func (p *prefetch) next() fetched { return <-p.out }

// recycle hands an applied batch back for reuse.
func (p *prefetch) recycle(b *batch) {
	b.reset()
	select {
	case p.free <- b:
	default:
	}
}

// close stops the goroutine: no Read of the caller's reader starts after
// it, and it waits for the goroutine unless that is inside a Read.
func (p *prefetch) close() {
	close(p.stop)
	if p.src.halt() {
		return
	}
	<-p.done
}
