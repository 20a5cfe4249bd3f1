package capture

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// Adoption. A row that is in a synced table without an existence register
// was never captured: it predates the triggers (a collection upgraded to
// the sync schema), was written while they were missing, or was written by
// a migration (which runs with capture off). Adopting it logs an insert
// for it and gives it an existence register, so that snapshots and deltas
// carry it like any other row.
//
// An adopted insert is not an edit anyone made now, so it must not win
// over one: its stamp lies below AdoptedBelow, before every real stamp, and
// its origin is AdoptedOrigin. The stamp is a digest of the row's values
// (55 bits of a SHA-256): two devices that adopt the same row with the same
// values log the very same write, which merges to nothing; with different
// values (a file copied before the sync tables existed and edited apart),
// both inserts are exchanged and the one with the greater digest wins
// everywhere, whatever the order, while every real edit, made before or
// after, wins over both. (A digest in the origin instead would make every
// adopted row a name of its own in a changeset, whose name table is
// bounded.)

// AdoptedBelow bounds the stamps of adopted inserts: they are at least 1
// and below it, which is the wall clock of 1987 (2^39 ms after the epoch),
// before any device's real stamps.
const AdoptedBelow HLC = 1 << 55

// AdoptedOrigin is the origin of adopted inserts. No device's node id has
// this form.
const AdoptedOrigin = "adopted"

// adoptProgressEvery is how many adopted rows pass between progress logs.
const adoptProgressEvery = 50_000

// Adopt logs an insert and writes an existence register for every row of
// a synced table that has none (device-local rows excepted), in one
// transaction, and returns how many rows it adopted, by table. Install
// runs it when it creates or replaces triggers, and Open after a
// migration; call it after writing to synced tables with capture off.
// It logs its progress through the engine's logger. On a connection
// inside a transaction it runs in that transaction.
func (e *Engine) Adopt(ctx context.Context) (out map[string]int, err error) {
	if e.conn == nil {
		return nil, ErrClosed
	}
	old := e.conn.SetInterrupt(ctx)
	defer e.conn.SetInterrupt(old)
	if !e.conn.GetAutocommit() {
		if out, err = e.adopt(ctx, e.tables); err != nil {
			return nil, fmt.Errorf("capture: adopt: %w", err)
		}
		return out, nil
	}
	tx, err := e.conn.BeginImmediate()
	if err != nil {
		return nil, fmt.Errorf("capture: adopt: %w", err)
	}
	defer tx.End(&err)
	out, err = e.adopt(ctx, e.tables)
	if err != nil {
		return nil, fmt.Errorf("capture: adopt: %w", err)
	}
	return out, nil
}

// adopt adopts the rows of tables that have no existence register, inside
// the caller's transaction.
func (e *Engine) adopt(ctx context.Context, tables []schema.TableInfo) (map[string]int, error) {
	// The adopted inserts go to the end of the log with a stamp below
	// every other; the floor keeps the triggers' next stamp above the
	// last one issued (as for an apply, docs/capture.md).
	clock, err := e.Clock(ctx)
	if err != nil {
		return nil, err
	}
	if err := e.exec(`UPDATE sync_state SET hlc = max(hlc, ?) WHERE id = 1`, int64(clock)); err != nil {
		return nil, err
	}
	logStmt, _, err := e.conn.Prepare(`INSERT INTO local_changes (entity_type, entity_id, field_name, op, hlc, origin)
		VALUES (?, ?, '', ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer logStmt.Close()
	regStmt, _, err := e.conn.Prepare(`INSERT INTO capture_registers (entity_type, entity_id, field_name, hlc, origin, seq, tombstone)
		VALUES (?, ?, '', ?, ?, last_insert_rowid(), 0)`)
	if err != nil {
		return nil, err
	}
	defer regStmt.Close()
	// A keyed table's entity gets its key before its insert is logged.
	entStmt, _, err := e.conn.Prepare(`INSERT INTO capture_entities (entity_type, entity_id) VALUES (?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return nil, err
	}
	defer entStmt.Close()
	keyedStmt, _, err := e.conn.Prepare(`INSERT INTO capture_keyed_registers (key, field_name, hlc, origin, seq, tombstone)
		VALUES ((SELECT key FROM capture_entities WHERE entity_type = ? AND entity_id = ?), '', ?, ?, last_insert_rowid(), 0)`)
	if err != nil {
		return nil, err
	}
	defer keyedStmt.Close()

	out := map[string]int{}
	total := 0
	for _, t := range tables {
		rows, _, err := e.conn.Prepare(unadoptedSQL(t, false))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		cols := adoptColumns(t)
		reg, ent := regStmt, (*sqlite3.Stmt)(nil)
		if t.Keyed() {
			reg, ent = keyedStmt, entStmt
		}
		n := 0
		for rows.Step() {
			entity := ColumnValue(rows, 0)
			if err := adoptRow(logStmt, reg, ent, t.Name, entity, adoptedStamp(rows, cols)); err != nil {
				rows.Close()
				return nil, fmt.Errorf("%s %v: %w", t.Name, entity, err)
			}
			n++
			if total++; total%adoptProgressEvery == 0 {
				e.log.Info().Int("rows", total).Str("table", t.Name).Msg("adopting existing rows")
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		if n > 0 {
			out[t.Name] = n
		}
	}
	if total > 0 {
		e.log.Info().Int("rows", total).Msg("adopted existing rows")
	}
	return out, nil
}

// adoptRow logs an adopted row's insert and writes its register; entStmt,
// for a keyed table, first gives the entity its key.
func adoptRow(logStmt, regStmt, entStmt *sqlite3.Stmt, table string, entity any, stamp HLC) error {
	if entStmt != nil {
		if err := bindAll(entStmt, []any{table, entity}); err != nil {
			return err
		}
		if err := entStmt.Exec(); err != nil {
			return err
		}
	}
	if err := bindAll(logStmt, []any{table, entity, int64(OpInsert), int64(stamp), AdoptedOrigin}); err != nil {
		return err
	}
	if err := logStmt.Exec(); err != nil {
		return err
	}
	if err := bindAll(regStmt, []any{table, entity, int64(stamp), AdoptedOrigin}); err != nil {
		return err
	}
	return regStmt.Exec()
}

// Unadopted counts, by table, the rows of synced tables that have no
// existence register: rows written while the capture triggers were
// missing, which the next Install adopts. It writes nothing.
func (e *Engine) Unadopted(ctx context.Context) (map[string]int, error) {
	if e.conn == nil {
		return nil, ErrClosed
	}
	out := map[string]int{}
	for _, t := range e.tables {
		err := e.queryRow(unadoptedSQL(t, true), nil, func(s *sqlite3.Stmt) {
			if n := s.ColumnInt(0); n > 0 {
				out[t.Name] = n
			}
		})
		if err != nil {
			return nil, fmt.Errorf("capture: count unadopted rows of %s: %w", t.Name, err)
		}
	}
	return out, nil
}

// unadoptedSQL selects the rows of t that have no existence register and
// are not device-local: their entity id, then adoptColumns; or, with count,
// how many there are.
func unadoptedSQL(t schema.TableInfo, count bool) string {
	what := "count(*)"
	if !count {
		what = triggers.EntityID(t, "r") + ", " + strings.Join(quoteCols("r", adoptColumns(t)), ", ")
	}
	// The unary + strips the key column's affinity, which would otherwise
	// be applied to entity_id (a column without one) and keep its index
	// from being used: an INTEGER key made the scan quadratic.
	where := `NOT EXISTS (SELECT 1 FROM field_timestamps f WHERE f.entity_type = ` + triggers.Literal(t.Name) +
		` AND f.entity_id = +(` + triggers.EntityID(t, "r") + `) AND f.field_name = '')`
	if c := triggers.Syncs(t, "r"); c != "1" { // device-local keys, row filters
		where += ` AND ` + c
	}
	return `SELECT ` + what + ` FROM ` + triggers.Quote(t.Name) + ` AS r WHERE ` + where
}

// adoptColumns are the columns an adopted row's digest covers: its key and
// tracked columns, by name, so that two devices that list them in another
// order agree.
func adoptColumns(t schema.TableInfo) []string {
	var cols []string
	for _, k := range t.Key {
		cols = append(cols, k.Name)
	}
	for _, c := range t.Columns {
		cols = append(cols, c.Name)
	}
	slices.Sort(cols)
	return cols
}

func quoteCols(ref string, cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = ref + "." + triggers.Quote(c)
	}
	return out
}

// adoptedStamp returns the stamp of an adopted row's insert: 1 plus 55
// bits of the SHA-256 of the row's values, columns 1 on of s named cols:
// each name, then its value's type and bytes.
func adoptedStamp(s *sqlite3.Stmt, cols []string) HLC {
	h := sha256.New()
	var num [8]byte
	for i, name := range cols {
		h.Write([]byte(name))
		h.Write([]byte{0})
		switch v := ColumnValue(s, i+1).(type) {
		case nil:
			h.Write([]byte{'n'})
		case int64:
			binary.BigEndian.PutUint64(num[:], uint64(v))
			h.Write([]byte{'i'})
			h.Write(num[:])
		case float64:
			binary.BigEndian.PutUint64(num[:], math.Float64bits(v))
			h.Write([]byte{'r'})
			h.Write(num[:])
		case string:
			binary.BigEndian.PutUint64(num[:], uint64(len(v)))
			h.Write([]byte{'t'})
			h.Write(num[:])
			h.Write([]byte(v))
		case []byte:
			binary.BigEndian.PutUint64(num[:], uint64(len(v)))
			h.Write([]byte{'b'})
			h.Write(num[:])
			h.Write(v)
		}
	}
	digest := binary.BigEndian.Uint64(h.Sum(nil))
	return 1 + HLC(digest%uint64(AdoptedBelow-1))
}
