package capture

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/triggers"
)

// Op is the operation of a change.
type Op int

// Operations, as stored in local_changes.op.
const (
	OpInsert Op = triggers.OpInsert
	OpUpdate Op = triggers.OpUpdate
	OpDelete Op = triggers.OpDelete
)

// String returns "insert", "update" or "delete".
func (o Op) String() string {
	switch o {
	case OpInsert:
		return "insert"
	case OpUpdate:
		return "update"
	case OpDelete:
		return "delete"
	}
	return fmt.Sprintf("op(%d)", int(o))
}

// Change is one row of the change log. Values are SQLite values as Go holds
// them: nil, int64, float64, string (TEXT) or []byte (BLOB).
type Change struct {
	// Seq is the change's local sequence number.
	Seq int64
	// Table and EntityID name the row; see EntityKey for composite keys.
	Table    string
	EntityID any
	// Field is the column, or "" for the row itself (insert, delete).
	Field string
	Op    Op
	// Old and New are the values before and after; nil where the operation
	// has none.
	Old, New any
	// HLC is the change's stamp.
	HLC HLC
	// Origin is the node that made the change: this device's node id for
	// captured changes.
	Origin string
}

// Stamp returns the change's (HLC, origin) order key.
func (c Change) Stamp() Stamp { return Stamp{c.HLC, c.Origin} }

// Filter selects changes from the log. Zero fields select everything.
type Filter struct {
	Table  string
	Entity any     // an entity id as stored
	Field  *string // nil: any field; "" selects row-level changes
	Origin string  // a node id; this device's own id selects captured changes
	// AfterSeq and UpToSeq bound the sequence numbers: AfterSeq < seq <=
	// UpToSeq (0: unbounded).
	AfterSeq, UpToSeq int64
	// Since and Until bound the stamps' wall time: Since <= t < Until.
	Since, Until time.Time
	// Newest lists the newest change first.
	Newest bool
	// Limit caps the number of changes (0: no cap).
	Limit int
	// notFrom leaves out the changes that came in a changeset of this
	// node (local_changes.sender): Pending's, since that node holds them.
	notFrom string
}

// Changes streams the changes of the log that f selects, in sequence order
// (or newest first). It holds one row at a time, so memory stays flat
// whatever the log's size. The iteration stops at the first error, which it
// yields.
func (e *Engine) Changes(ctx context.Context, f Filter) iter.Seq2[Change, error] {
	return func(yield func(Change, error) bool) {
		if e.conn == nil {
			yield(Change{}, ErrClosed)
			return
		}
		var where []string
		var args []any
		add := func(cond string, a any) { where = append(where, cond); args = append(args, a) }
		if f.Table != "" {
			add("entity_type = ?", f.Table)
		}
		if f.Entity != nil {
			add("entity_id = ?", f.Entity)
		}
		if f.Field != nil {
			add("field_name = ?", *f.Field)
		}
		if f.Origin == e.nodeID {
			where = append(where, "origin IS NULL")
		} else if f.Origin != "" {
			add("origin = ?", f.Origin)
		}
		if f.AfterSeq > 0 {
			add("seq > ?", f.AfterSeq)
		}
		if f.notFrom != "" {
			add("sender IS NOT ?", f.notFrom)
		}
		if f.UpToSeq > 0 {
			add("seq <= ?", f.UpToSeq)
		}
		if !f.Since.IsZero() {
			add("hlc >= ?", int64(HLCAt(f.Since)))
		}
		if !f.Until.IsZero() {
			add("hlc < ?", int64(HLCAt(f.Until)))
		}
		q := `SELECT seq, entity_type, entity_id, field_name, op, old_value, new_value, hlc, coalesce(origin, ?) FROM local_changes`
		args = append([]any{e.nodeID}, args...)
		if len(where) > 0 {
			q += " WHERE " + strings.Join(where, " AND ")
		}
		if f.Newest {
			q += " ORDER BY seq DESC"
		} else {
			q += " ORDER BY seq"
		}
		if f.Limit > 0 {
			q += fmt.Sprintf(" LIMIT %d", f.Limit)
		}
		old := e.conn.SetInterrupt(ctx)
		defer e.conn.SetInterrupt(old)
		stmt, _, err := e.conn.Prepare(q)
		if err != nil {
			yield(Change{}, fmt.Errorf("capture: read changes: %w", err))
			return
		}
		defer stmt.Close()
		if err := bindAll(stmt, args); err != nil {
			yield(Change{}, fmt.Errorf("capture: read changes: %w", err))
			return
		}
		for stmt.Step() {
			if !yield(scanChange(stmt), nil) {
				return
			}
		}
		if err := stmt.Err(); err != nil {
			yield(Change{}, fmt.Errorf("capture: read changes: %w", err))
		}
	}
}

func scanChange(s *sqlite3.Stmt) Change {
	return Change{
		Seq: s.ColumnInt64(0), Table: s.ColumnText(1), EntityID: ColumnValue(s, 2),
		Field: s.ColumnText(3), Op: Op(s.ColumnInt(4)), Old: ColumnValue(s, 5), New: ColumnValue(s, 6),
		HLC: HLC(s.ColumnInt64(7)), Origin: s.ColumnText(8),
	}
}

// Pending streams the changes the paired device peer has not acknowledged,
// in sequence order, including those this device received from others
// (which it relays), but not those it received from peer, whatever their
// origin: peer holds what it sent. See Changes.
func (e *Engine) Pending(ctx context.Context, peer string) iter.Seq2[Change, error] {
	d, err := e.Device(ctx, peer)
	if err != nil {
		return func(yield func(Change, error) bool) { yield(Change{}, err) }
	}
	return e.Changes(ctx, Filter{AfterSeq: d.AckedSeq, notFrom: d.ID})
}

// LastSeq returns the sequence number of the newest change (0 if none).
func (e *Engine) LastSeq(ctx context.Context) (int64, error) {
	if e.conn == nil {
		return 0, ErrClosed
	}
	var seq int64
	err := e.queryRow(`SELECT coalesce(max(seq), 0) FROM local_changes`, nil, func(s *sqlite3.Stmt) { seq = s.ColumnInt64(0) })
	if err != nil {
		return 0, fmt.Errorf("capture: last seq: %w", err)
	}
	return seq, nil
}

// ErrAckBeyond is wrapped by Ack's error for a sequence number above the
// newest change: a peer cannot have seen it.
var ErrAckBeyond = errors.New("acknowledged sequence number is beyond the newest change")

// Ack records that peer has received and applied every change up to seq.
// Cursors only move forward: acknowledging less than before changes
// nothing.
func (e *Engine) Ack(ctx context.Context, peer string, seq int64) error {
	if e.conn == nil {
		return ErrClosed
	}
	last, err := e.LastSeq(ctx)
	if err != nil {
		return err
	}
	if seq > last {
		return fmt.Errorf("capture: ack %d for %s (newest is %d): %w", seq, peer, last, ErrAckBeyond)
	}
	// Acknowledging the newest export also confirms the catch-up it
	// carried (see Export).
	if err := e.exec(`UPDATE paired_devices SET acked_seq = max(acked_seq, ?1), last_seen = ?2,
			sent_tables = CASE WHEN ?1 >= pending_seq THEN pending_tables ELSE sent_tables END
		WHERE device_id = ?3`,
		seq, e.now().UTC().Format(time.RFC3339Nano), peer); err != nil {
		return fmt.Errorf("capture: ack %d for %s: %w", seq, peer, err)
	}
	if e.conn.Changes() == 0 {
		return fmt.Errorf("capture: ack for %s: %w", peer, ErrUnknownDevice)
	}
	return nil
}
