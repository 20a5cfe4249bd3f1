package lww

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/internal/tune"
)

// DefaultMaxDrift is how far ahead of this device's clock a remote stamp may
// be before its changeset is refused.
const DefaultMaxDrift = 5 * time.Minute

// Options configure Apply.
type Options struct {
	// MaxDrift bounds how far a stamp's wall time may be ahead of this
	// device's clock; zero means DefaultMaxDrift.
	MaxDrift time.Duration
	// Now is the wall clock; nil means time.Now.
	Now func() time.Time
	// DryRun decides everything and writes nothing.
	DryRun bool
	// Explain collects a Decision per record in Result.Decisions (memory
	// grows with the changeset).
	Explain bool
	// From, if set, is the device that sent the changeset, as its
	// transport authenticated it (package lan): a changeset whose origin
	// is another device is refused (ErrWrongSender), unless that origin
	// lists From among its former ids (From took a new node id), and then
	// only From's pairing moves to it.
	From string
	// CacheKiB is the page cache, in KiB, that Apply gives the connection
	// for its transaction when the connection's own is smaller; the
	// connection's setting is restored afterwards. Zero means
	// DefaultCacheKiB; a negative value leaves the cache as it is.
	CacheKiB int
}

// DefaultCacheKiB is Options.CacheKiB's default: 16 MiB. Against SQLite's
// default 2 MB it took a first sync of 100,000 releases (400,000 records)
// from 14.4 s to 12.6 s, the pages written to the WAL and read back being
// the difference.
const DefaultCacheKiB = tune.DefaultCacheKiB

// Result says what Apply did.
type Result struct {
	// Origin is the device the changeset came from; UpToSeq its newest
	// sequence number covered.
	Origin  string
	UpToSeq int64
	// Records counts the records read. Won counts those whose register took
	// the write; Lost those that lost or were already here; Parked those
	// whose value was kept aside when the record was applied (they won, so
	// they count in Won too; the replay at the end of the Apply may have
	// placed some of them since).
	Records, Won, Lost, Parked int
	// Decisions, with Options.Explain, say what happened to each record.
	Decisions []Decision
	// Merges lists the identity merges the Apply made (two rows held one
	// natural key) or learned from the changeset's aliases, in order: an
	// app refreshes what it shows of the merged-away entities.
	Merges []Merge
	// Violations lists what the Apply's own check found (at most 10): the
	// entities it parked, removed, merged or recombined are checked against
	// the invariants Verify checks before it commits. Any is a bug or a
	// damaged database; the Apply commits all the same, and records the
	// first for status (capture.Engine.Diverged).
	Violations []Violation
}

// maxReported bounds Result.Violations.
const maxReported = 10

// Decision is what Apply did with one record, and why.
type Decision struct {
	Kind   changeset.Kind
	Table  string
	Entity any
	Field  string // "" for a row record
	Stamp  capture.Stamp
	// Outcome is "won", "lost" or "parked"; Why says against what.
	Outcome, Why string
}

// Apply reads one changeset from r and merges it into e's database in one
// transaction, with capture suppressed: each record whose stamp wins its
// register is written (or parked), logged to local_changes with its origin
// and the changeset's (its sender) so this device relays it to every other
// device, and its register stamped with the remote stamp.
// This device's clock advances past every stamp received. The origin must
// be a paired device; the peer's acknowledgement in the header moves its
// cursor, and what the changeset covers is recorded as received.
//
// Bad input changes nothing: a changeset that is corrupt or truncated, has
// a wrong format version, comes from this device or is addressed to another,
// holds a record that targets data this device does not sync or is of the
// wrong shape, or a stamp more than MaxDrift ahead of this device's clock,
// is refused whole with an error saying which record and why.
//
// Before it merges anything, Apply checks the logs (docs/device-lifecycle.md):
// a changeset showing that this database went back in time or was copied
// (capture.ErrForked, recorded for Engine.Forked; call Engine.Reset), or
// that the sender's did (ErrPeerForked), merges nothing. A changeset that
// passes every check and still fails returns ErrApplyFailed, and the
// failure is recorded against its origin (capture.Device.Failure) until a
// changeset from it applies.
//
// Records are applied in batches sorted by table and entity, which changes
// the time taken, not the outcome. A goroutine of Apply's own reads r one
// batch ahead of the batch being applied; the memory held is bounded by
// two batches. No Read of r starts after Apply returns; when Apply fails
// while a Read is under way (a stalled stream), it returns without
// waiting for it, and that Read's result is dropped. For its
// transaction Apply keeps statement journals in memory (temp_store =
// MEMORY, unless the connection holds temporary tables), raises the page
// cache to Options.CacheKiB and switches off the triggers when all of them
// are capture triggers; it restores each setting afterwards.
// docs/merge-semantics.md ("How Apply runs") has the details.
func Apply(ctx context.Context, e *capture.Engine, r io.Reader, opts Options) (res Result, err error) {
	if opts.MaxDrift == 0 {
		opts.MaxDrift = DefaultMaxDrift
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CacheKiB == 0 {
		opts.CacheKiB = DefaultCacheKiB
	}
	src := &stoppableReader{r: r}
	cr, err := changeset.NewReader(src)
	if err != nil {
		return res, fmt.Errorf("lww: apply: %w", err)
	}
	h := cr.Header()
	res.Origin, res.UpToSeq = h.Origin, h.UpToSeq
	from, err := admit(ctx, e, h, opts.From)
	if err != nil {
		return res, fmt.Errorf("lww: apply changeset from %s: %w", h.Origin, err)
	}

	// Registered first, so it runs last, once the transaction is over.
	defer func() {
		if !opts.DryRun {
			err = noteFailure(ctx, e, h.Origin, err)
		}
		if err == nil && !opts.DryRun && len(res.Violations) > 0 {
			if rerr := e.RecordDivergence(ctx, res.Violations[0].String()); rerr != nil {
				err = fmt.Errorf("lww: apply: %w", rerr)
			}
		}
	}()
	conn := e.Conn()
	// The settings are changed before, and restored after, the context can
	// interrupt the connection: a cancelled context must not leave them.
	defer tune.MemoryJournals(conn)()
	defer tune.LargerCache(conn, opts.CacheKiB)()
	old := conn.SetInterrupt(ctx)
	defer conn.SetInterrupt(old)
	tx, err := conn.BeginImmediate()
	if err != nil {
		return res, fmt.Errorf("lww: apply: %w", err)
	}
	defer func() {
		if err == nil && opts.DryRun {
			err = errDryRun
		}
		committing := err == nil
		tx.End(&err)
		switch {
		case err == errDryRun:
			err = nil
		case committing && err != nil: // a deferred foreign key, say
			err = fmt.Errorf("lww: apply: %w", failed("commit", err))
		}
	}()
	restoreTriggers, triggersOff := captureTriggersOff(conn)
	defer restoreTriggers()
	a, err := newApplier(e, opts)
	if err != nil {
		return res, fmt.Errorf("lww: apply: %w", err)
	}
	defer a.close()
	a.insertFirst, a.sender, a.triggersOn = triggersOff, h.Origin, restoreTriggers
	// The clock as it stands before this changeset's records are logged:
	// they may be older than stamps already issued here.
	if a.lastClock, err = e.Clock(ctx); err != nil {
		return res, fmt.Errorf("lww: apply: %w", err)
	}
	if err := a.begin(); err != nil {
		return res, fmt.Errorf("lww: apply: %w", err)
	}
	if err := a.checkLogs(ctx, h, from); err != nil {
		return res, fmt.Errorf("lww: apply changeset from %s: %w", h.Origin, err)
	}
	if err := a.foldStrays(); err != nil {
		return res, fmt.Errorf("lww: apply: %w", failed("rows under merged-away ids", err))
	}
	if err := a.replay(); err != nil {
		return res, fmt.Errorf("lww: apply: %w", failed("replay of parked values", err))
	}
	if err := a.replayClasses(); err != nil {
		return res, fmt.Errorf("lww: apply: %w", failed("replay of merged rows", err))
	}
	batches := startPrefetch(cr, src)
	defer batches.close()
	for {
		f := batches.next()
		res.Records = f.read
		if f.err != nil {
			return res, fmt.Errorf("lww: apply changeset from %s: %w", h.Origin, f.err)
		}
		if err := a.applyBatch(f.b, &res); err != nil {
			return res, fmt.Errorf("lww: apply changeset from %s: %w", h.Origin, err)
		}
		batches.recycle(f.b)
		if f.eof {
			break
		}
	}
	// The batches' order is not the sender's: a row parked because its
	// parent was deleted, or because another row still held a unique value,
	// before a record that came earlier in the changeset was applied, is
	// placed now that the whole changeset is in; rows that hold one
	// natural key merge; rows whose parent is not here leave their table.
	if err := a.settle(); err != nil {
		return res, fmt.Errorf("lww: apply: %w", failed("settle", err))
	}
	res.Merges = a.merges
	if err := a.finish(ctx, h, from); err != nil {
		return res, fmt.Errorf("lww: apply: %w", failed("bookkeeping after the records", err))
	}
	// The entities the Apply touched off the plain path are checked
	// against the invariants, once the row filters are reconciled; a
	// violation is recorded once the Apply has committed (DIVERGED in
	// status), and does not undo it.
	if res.Violations, err = a.checkTouched(maxReported); err != nil {
		return res, fmt.Errorf("lww: apply: %w", failed("check of the touched entities", err))
	}
	return res, nil
}

var errDryRun = errors.New("dry run")

// noteFailure records, in a transaction of its own, a failure
// (ErrApplyFailed) against the changeset's origin, or that this database
// forked (capture.ErrForked), and returns err. Nothing is recorded while
// ctx is done: the interrupt may have caused the error.
func noteFailure(ctx context.Context, e *capture.Engine, origin string, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	var rerr error
	var f *failure
	switch {
	case errors.As(err, &f):
		rerr = e.RecordApplyFailure(ctx, origin, f.where, f.err)
	case errors.Is(err, capture.ErrForked):
		rerr = e.RecordFork(ctx, err)
	}
	if rerr != nil {
		return fmt.Errorf("%w (not recorded: %v)", err, rerr)
	}
	return err
}

// applyBatch applies the records of b, sorted in entity order, counts the
// outcomes in res and, with Options.Explain, adds the decisions to it in
// changeset order. res.Records already counts b's records.
func (a *applier) applyBatch(b *batch, res *Result) error {
	var decisions []Decision
	if a.opts.Explain {
		decisions = make([]Decision, len(b.items))
	}
	first := res.Records - len(b.items) + 1 // position of b's first record
	a.nowMillis = a.opts.Now().UnixMilli()  // the clock the batch's stamps are checked against
	for _, it := range b.items {
		rec := it.rec
		d, err := a.apply(rec, func() string {
			if rec.Field == "" {
				return fmt.Sprintf("record %d (%s %v)", it.pos, rec.Table, rec.Entity)
			}
			return fmt.Sprintf("record %d (%s %v %s)", it.pos, rec.Table, rec.Entity, rec.Field)
		})
		if err != nil {
			return err
		}
		switch d.Outcome {
		case "lost":
			res.Lost++
		case "parked":
			res.Parked++
			res.Won++
		default:
			res.Won++
		}
		if decisions != nil {
			decisions[it.pos-first] = d
		}
	}
	res.Decisions = append(res.Decisions, decisions...)
	return nil
}

// finish advances the clock, records what the origin reported and sent,
// and clears the applying flag.
func (a *applier) finish(ctx context.Context, h changeset.Header, from sender) error {
	e := a.e
	floor, err := capture.Receive(a.lastClock, a.maxHLC, a.opts.Now(), a.opts.MaxDrift)
	if err != nil {
		return err
	}
	// The log this Apply wrote holds no write of the app's (foldStrays).
	if err := a.exec(`UPDATE sync_state SET hlc = max(hlc, ?), last_sync_timestamp = ?,
		folded_seq = (SELECT coalesce(max(seq), 0) FROM local_changes) WHERE id = 1`, int64(floor), int64(floor)); err != nil {
		return err
	}
	if err := e.RecordPeerSchema(ctx, h.Origin, h); err != nil {
		return err
	}
	// A changeset addressed to a former id of this device left out what
	// that id had written, which this device may have lost since: it does
	// not count as received, so that this device's acknowledgement does
	// not tell the origin that it holds those changes. Its point of the
	// origin's log is a check like any other.
	if from.stale {
		if err := e.AddCheck(ctx, h.Origin, changeset.Check{Seq: h.UpToSeq, HLC: h.UpToHLC}); err != nil {
			return err
		}
	} else if err := e.RecordReceived(ctx, h.Origin, h.UpToSeq, h.UpToHLC, h.Confirmed); err != nil {
		return err
	}
	if err := e.ClearApplyFailure(ctx, h.Origin); err != nil {
		return err
	}
	if h.Ack > 0 && !from.stale {
		if err := e.Ack(ctx, h.Origin, h.Ack); err != nil && !errors.Is(err, capture.ErrAckBeyond) {
			return err
		}
	}
	if err := a.exec(`UPDATE sync_state SET applying = NULL WHERE id = 1`); err != nil {
		return err
	}
	// A row this changeset brought into a row filter may bring children
	// made here while it was out (schema.RowFilter): they are recorded as
	// inserted now, as the app's own.
	if a.filterTouched {
		// Apply turned the triggers off (captureTriggersOff): the
		// reconciliation logs through them.
		a.triggersOn()
		if _, _, err := e.ReconcileFilters(ctx); err != nil {
			return err
		}
	}
	return nil
}

// exec runs one statement on the engine's connection.
func (a *applier) exec(sql string, args ...any) error {
	s, err := a.stmt(sql)
	if err != nil {
		return err
	}
	if err := bind(s, args); err != nil {
		return err
	}
	return s.Exec()
}

// firstErr returns the first error that is not nil.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func bind(s *sqlite3.Stmt, args []any) error {
	for i, v := range args {
		if err := capture.BindValue(s, i+1, v); err != nil {
			return fmt.Errorf("bind %d: %w", i+1, err)
		}
	}
	return nil
}
