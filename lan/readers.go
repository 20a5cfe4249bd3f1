package lan

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/capture-sync/capture/capture"
)

// DefaultRounds is how many rounds a Server runs at once when
// ServerOptions.Rounds is 0.
const DefaultRounds = 4

// writeWait bounds how long a round's engine waits for another
// connection's write: an apply through the server's engine, or the app's.
const writeWait = 2 * time.Minute

// readers lends the engines that rounds read and export through: clones
// of the server's engine, one per round running, so that exports to
// several phones run at once while applies take the server's engine one at
// a time. Where the database cannot be opened twice (it has no file), every
// round shares the server's engine, one at a time.
type readers struct {
	main *capture.Engine
	mu   *sync.Mutex // the main engine's lock
	slot chan struct{}

	pmu    sync.Mutex
	idle   []*capture.Engine
	closed bool
	shared bool // no clones: rounds use main under mu
}

func newReaders(main *capture.Engine, mu *sync.Mutex, n int) *readers {
	if n <= 0 {
		n = DefaultRounds
	}
	return &readers{main: main, mu: mu, slot: make(chan struct{}, n)}
}

// get waits for a free round and returns the engine it reads through, and
// the function that gives it back.
func (p *readers) get(ctx context.Context) (*capture.Engine, func(), error) {
	select {
	case p.slot <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	p.pmu.Lock()
	if p.shared {
		p.pmu.Unlock()
		return p.lockMain()
	}
	if n := len(p.idle); n > 0 {
		e := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.pmu.Unlock()
		return e, func() { p.put(e) }, nil
	}
	p.pmu.Unlock()
	// Clone reads the main engine's connection, which an apply may be
	// using.
	p.mu.Lock()
	e, err := p.main.Clone(ctx)
	p.mu.Unlock()
	if err == nil {
		// An export records what it sent once it has sent it, a write
		// that waits for the apply running then: as long as that takes.
		if err = e.Conn().BusyTimeout(writeWait); err != nil {
			e.Close()
		}
	}
	if errors.Is(err, capture.ErrNoFile) {
		p.pmu.Lock()
		p.shared = true
		p.pmu.Unlock()
		return p.lockMain()
	}
	if err != nil {
		<-p.slot
		return nil, nil, err
	}
	return e, func() { p.put(e) }, nil
}

func (p *readers) lockMain() (*capture.Engine, func(), error) {
	p.mu.Lock()
	return p.main, func() { p.mu.Unlock(); <-p.slot }, nil
}

func (p *readers) put(e *capture.Engine) {
	p.pmu.Lock()
	if p.closed {
		e.Close()
	} else {
		p.idle = append(p.idle, e)
	}
	p.pmu.Unlock()
	<-p.slot
}

// close closes the idle engines, and those in use as they come back.
func (p *readers) close() error {
	p.pmu.Lock()
	defer p.pmu.Unlock()
	p.closed = true
	var errs []error
	for _, e := range p.idle {
		errs = append(errs, e.Close())
	}
	p.idle = nil
	return errors.Join(errs...)
}

// isShared reports whether rounds share the main engine (and hold its lock
// while they run).
func (p *readers) isShared(e *capture.Engine) bool { return e == p.main }
