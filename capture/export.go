package capture

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/internal/tune"
	"github.com/capture-sync/capture/schema"
)

// ExportOptions select what Export writes.
type ExportOptions struct {
	// Peer is the paired device the changeset is for.
	Peer string
	// Snapshot writes every register instead of the delta since the peer's
	// cursor: what a newly paired device starts from.
	Snapshot bool
	// CacheKiB is the page cache, in KiB, that Export gives the connection
	// for its read transaction when the connection's own is smaller; the
	// setting is restored afterwards. A snapshot reads every row through
	// its key, in an order that is not the table's: a larger cache reads
	// fewer pages twice. Zero means 16 MiB; a negative value leaves the
	// cache as it is.
	CacheKiB int
}

// ExportStats says what Export wrote.
type ExportStats struct {
	// Fields and Rows count the field and row-existence records.
	Fields, Rows int64
	// UpToSeq is the newest sequence number the changeset covers: once the
	// peer acknowledges it, its cursor moves there.
	UpToSeq int64
}

// Export writes to w a changeset for the paired device opts.Peer: every
// register whose latest change the peer has not acknowledged (one record
// per field, the latest, with its current value; a row record with the full
// row for an insert, a tombstone for a delete), including the changes this
// device received from others, but not those that came from the peer
// itself, whatever their origin (local_changes.sender). With
// opts.Snapshot it writes every register instead. Tables and columns the
// peer does not know (it runs an older schema) are left out until it
// reports them. Export reads one consistent snapshot of the database and
// holds one record in memory at a time. It does not move the peer's cursor:
// Ack does, when the peer confirms.
func (e *Engine) Export(ctx context.Context, w io.Writer, opts ExportOptions) (st ExportStats, err error) {
	if e.conn == nil {
		return st, ErrClosed
	}
	if opts.CacheKiB == 0 {
		opts.CacheKiB = tune.DefaultCacheKiB
	}
	// Restored after the context stops interrupting the connection, so
	// that a cancelled context cannot leave the setting changed.
	defer tune.LargerCache(e.conn, opts.CacheKiB)()
	old := e.conn.SetInterrupt(ctx)
	defer e.conn.SetInterrupt(old)
	st, pending, err := e.export(ctx, w, opts)
	if err != nil {
		return st, err
	}
	// Once the peer acknowledges this changeset it holds every register of
	// what it knows now. Recorded after the read transaction, as a write of
	// its own, so concurrent writers cannot make it fail.
	if err := e.exec(`UPDATE paired_devices SET pending_tables = ?, pending_seq = ? WHERE device_id = ?`,
		pending, st.UpToSeq, opts.Peer); err != nil {
		return st, fmt.Errorf("capture: export to %s: %w", opts.Peer, err)
	}
	e.log.Debug().Str("peer", opts.Peer).Bool("snapshot", opts.Snapshot).Int64("fields", st.Fields).
		Int64("rows", st.Rows).Int64("up_to_seq", st.UpToSeq).Msg("exported")
	return st, nil
}

// export writes the changeset inside one read transaction and returns what
// the peer will know once it acknowledges it (nil: everything).
func (e *Engine) export(ctx context.Context, w io.Writer, opts ExportOptions) (st ExportStats, pending any, err error) {
	tx := e.conn.Begin()
	defer tx.End(&err)
	peer, err := e.Device(ctx, opts.Peer)
	if err != nil {
		return st, nil, err
	}
	ps, err := e.peerSchemaOf(peer.ID)
	if err != nil {
		return st, nil, fmt.Errorf("capture: export: %w", err)
	}
	if ps.knownRaw != "" {
		pending = ps.knownRaw
	}
	var upToHLC, oldest int64
	err = e.queryRow(`SELECT coalesce(max(seq), 0), coalesce(min(seq), 0), coalesce((SELECT hlc FROM local_changes ORDER BY seq DESC LIMIT 1), 0)
		FROM local_changes`, nil, func(s *sqlite3.Stmt) {
		st.UpToSeq, oldest, upToHLC = s.ColumnInt64(0), s.ColumnInt64(1), s.ColumnInt64(2)
	})
	if err != nil {
		return st, nil, fmt.Errorf("capture: export: %w", err)
	}
	// A delta from a cursor below what Prune has deleted would miss
	// changes: the peer is new, or has taken a new node id. It gets a
	// snapshot.
	if oldest > peer.AckedSeq+1 {
		opts.Snapshot = true
	}
	former, err := e.FormerIDs(ctx)
	if err != nil {
		return st, nil, fmt.Errorf("capture: export: %w", err)
	}
	witness, err := e.witness(ctx, peer.ID)
	if err != nil {
		return st, nil, fmt.Errorf("capture: export: %w", err)
	}
	version, err := schema.Version(e.conn)
	if err != nil {
		return st, nil, fmt.Errorf("capture: export: %w", err)
	}
	cw, err := changeset.NewWriter(w, changeset.Header{
		Origin: e.nodeID, To: peer.ID, SchemaVersion: int64(version), Fingerprint: e.fingerprint,
		Tables: e.wireTables(), Snapshot: opts.Snapshot, UpToSeq: st.UpToSeq, Ack: peer.ReceivedSeq,
		UpToHLC: upToHLC, Checks: peer.ReceivedChecks, Confirmed: peer.ConfirmedChecks, Former: former, Witness: witness,
	})
	if err != nil {
		return st, nil, fmt.Errorf("capture: export: %w", err)
	}
	x := &exporter{e: e, w: cw, peer: peer.ID, known: ps.known, stmts: map[string]*sqlite3.Stmt{}}
	defer x.close()
	err = e.queryRow(`SELECT EXISTS (SELECT 1 FROM parked_values), EXISTS (SELECT 1 FROM member_values)`, nil, func(s *sqlite3.Stmt) {
		x.parkedAny, x.membersAny = s.ColumnBool(0), s.ColumnBool(1)
	})
	if err != nil {
		return st, nil, fmt.Errorf("capture: export: %w", err)
	}
	if opts.Snapshot {
		err = x.snapshot()
	} else {
		err = x.delta(peer.AckedSeq)
		if err == nil && ps.sent != nil {
			// The peer learnt tables or columns since it was last sent
			// everything: send their registers up to its cursor too.
			full := ps.known
			if full == nil {
				full = newKnownSet(e.wireTables())
			}
			err = x.catchUp(full.missing(ps.sent), peer.AckedSeq)
		}
	}
	if err == nil {
		err = cw.Close()
	}
	if err != nil {
		return st, nil, fmt.Errorf("capture: export to %s: %w", peer.ID, err)
	}
	st.Fields, st.Rows = x.fields, x.rows
	return st, pending, nil
}

// wireTables describes the synced tables for a changeset header.
func (e *Engine) wireTables() []changeset.Table {
	out := make([]changeset.Table, len(e.tables))
	for i, t := range e.tables {
		out[i].Name = t.Name
		for _, k := range t.Key {
			out[i].Key = append(out[i].Key, k.Name)
		}
		for _, c := range t.Columns {
			out[i].Columns = append(out[i].Columns, c.Name)
		}
	}
	return out
}

// exporter writes the records of one changeset.
type exporter struct {
	e            *Engine
	w            *changeset.Writer
	peer         string
	known        *knownSet
	stmts        map[string]*sqlite3.Stmt
	fields, rows int64
	// parkedAny is clear when parked_values is empty, which spares a
	// lookup per record; membersAny likewise for member_values.
	parkedAny, membersAny bool
	// texts and columns cache the statements and column lists generated
	// per table (export_values.go).
	texts   map[[2]string]string
	columns map[string][]string
}

func (x *exporter) close() {
	for _, s := range x.stmts {
		s.Close()
	}
}

// stmt returns a prepared statement, reusing it across records.
func (x *exporter) stmt(sql string) (*sqlite3.Stmt, error) {
	if s, ok := x.stmts[sql]; ok {
		return s, s.Reset()
	}
	s, _, err := x.e.conn.Prepare(sql)
	if err != nil {
		return nil, err
	}
	x.stmts[sql] = s
	return s, nil
}

// delta writes the registers whose latest change came after seq, but not
// those whose latest change came from the peer: the peer holds them, since
// it sent them, whatever their origin (the device that made them, a third
// device it relayed them from, or "adopted"), and they are in its log, so
// the checks of its log show a restore that lost them as a fork. A change
// of the peer's own that reached this device through another one is sent
// back: it may be what the peer lost unnoticed (docs/device-lifecycle.md,
// "Limits"). A peer that took a new node id is sent everything again,
// since what it sent was under the old one.
func (x *exporter) delta(after int64) error {
	return x.e.query(`SELECT lc.seq, lc.entity_type, lc.entity_id, lc.field_name, ft.hlc, coalesce(ft.origin, ?1), ft.tombstone
		FROM local_changes lc JOIN field_timestamps ft ON ft.entity_type = lc.entity_type
			AND ft.entity_id = lc.entity_id AND ft.field_name = lc.field_name AND ft.seq = lc.seq
		WHERE lc.seq > ?2 AND lc.sender IS NOT ?3 ORDER BY lc.seq`, []any{x.e.nodeID, after, x.peer}, x.register)
}

// catchUp writes the registers of the given tables' columns ("" for a whole
// table) that the delta left out: those at or below the peer's cursor.
func (x *exporter) catchUp(missing map[string][]string, upTo int64) error {
	tables := make([]string, 0, len(missing))
	for t := range missing {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	for _, table := range tables {
		for _, field := range missing[table] {
			q := `SELECT seq, entity_type, entity_id, field_name, hlc, coalesce(origin, ?), tombstone
				FROM field_timestamps WHERE entity_type = ? AND field_name = ? AND seq <= ? ORDER BY entity_id`
			args := []any{x.e.nodeID, table, field, upTo}
			if field == "" { // a whole table: existence first, then fields
				q = `SELECT seq, entity_type, entity_id, field_name, hlc, coalesce(origin, ?), tombstone
					FROM field_timestamps WHERE entity_type = ? AND seq <= ? ORDER BY entity_id, field_name`
				args = []any{x.e.nodeID, table, upTo}
			}
			if err := x.e.query(q, args, x.register); err != nil {
				return err
			}
		}
	}
	return nil
}

// register writes the record of one register row (seq, table, entity,
// field, hlc, origin, tombstone).
func (x *exporter) register(s *sqlite3.Stmt) error {
	rec := changeset.Record{Seq: s.ColumnInt64(0), Table: s.ColumnText(1), Entity: ColumnValue(s, 2),
		Field: s.ColumnText(3), HLC: s.ColumnInt64(4), Origin: s.ColumnText(5)}
	if !x.known.has(rec.Table, rec.Field) {
		return nil
	}
	var err error
	if rec.Field == schema.AliasField {
		if rec, err = x.alias(rec); err != nil {
			return err
		}
		x.fields++
		return x.w.Write(rec)
	}
	if rec.Field == "" {
		rec.Kind, rec.Alive = changeset.Row, !s.ColumnBool(6)
		if rec.Alive {
			rec.Row, err = x.row(rec.Table, rec.Entity)
		}
		x.rows++
	} else {
		rec.Kind = changeset.Field
		rec.Value, rec.HasValue, err = x.value(rec.Table, rec.Entity, rec.Field, Stamp{HLC(rec.HLC), rec.Origin})
		x.fields++
	}
	if err != nil {
		return fmt.Errorf("%s %v: %w", rec.Table, rec.Entity, err)
	}
	return x.w.Write(rec)
}
