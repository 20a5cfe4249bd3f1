package lww

import (
	"io"

	"github.com/capture-sync/capture/capture/changeset"
)

// prefetch reads and sorts the changeset's batches on a goroutine of its
// own, one batch ahead of the apply: decoding the next batch overlaps with
// writing the current one, which is all SQLite work on the connection's
// goroutine. Two batches are in memory at a time.
//
// The goroutine is the only reader of the changeset once it starts, and
// close waits for it to stop: when Apply returns, nothing reads the
// caller's io.Reader any more. (If Apply fails while the goroutine waits
// in a Read, close waits for that Read to return.)
type prefetch struct {
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

func startPrefetch(cr *changeset.Reader) *prefetch {
	p := &prefetch{out: make(chan fetched), free: make(chan *batch, 2),
		stop: make(chan struct{}), done: make(chan struct{})}
	go p.run(cr)
	return p
}

func (p *prefetch) run(cr *changeset.Reader) {
	defer close(p.done)
	read := 0
	for {
		var b *batch
		select {
		case b = <-p.free:
		default:
			b = &batch{}
		}
		f := fetched{b: b}
		for !b.full() {
			select {
			case <-p.stop:
				return
			default:
			}
			rec, err := cr.Next()
			if err == io.EOF {
				f.eof = true
				break
			}
			if err != nil {
				f.err = err
				break
			}
			read++
			b.add(rec, read)
		}
		b.sort()
		f.read = read
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

// close stops the goroutine and waits until it no longer reads.
func (p *prefetch) close() {
	close(p.stop)
	<-p.done
}
