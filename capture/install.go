package capture

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// DriftKind says how an installed trigger differs from the expected one.
type DriftKind string

// Kinds of drift.
const (
	// Missing: an expected trigger is not installed.
	Missing DriftKind = "missing"
	// Changed: a trigger is installed with other SQL than expected.
	Changed DriftKind = "changed"
	// Extra: an installed capture trigger is no longer expected (a table or
	// column that stopped syncing).
	Extra DriftKind = "extra"
)

// Drift is one difference between the installed and the expected triggers.
type Drift struct {
	Trigger string
	Kind    DriftKind
}

// InstallReport says what Install did.
type InstallReport struct {
	// Created, Replaced and Dropped name the triggers written.
	Created, Replaced, Dropped []string
	// Unchanged counts the triggers that were already right.
	Unchanged int
	// Adopted counts, by table, the rows adopted (Adopt): rows that had
	// no register, because they predate the triggers, were written while
	// triggers were missing, or were written by a migration.
	Adopted map[string]int
	// Left and Entered count the rows recorded as deleted for the peers
	// because they are outside their table's row filter but had been
	// captured as there, and as inserted the other way round
	// (ReconcileFilters).
	Left, Entered int64
}

// expected reads the synced tables' definitions and returns their triggers.
func (e *Engine) expected() ([]schema.TableInfo, []triggers.Trigger, error) {
	tables, err := schema.Inspect(e.conn, e.spec())
	if err != nil {
		return nil, nil, err
	}
	return tables, triggers.GenerateAll(tables), nil
}

// installed returns the capture triggers in the database, by name.
func installed(conn *sqlite3.Conn) (map[string]string, error) {
	stmt, _, err := conn.Prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND substr(name, 1, ?) = ?`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	if err := stmt.BindInt(1, len(triggers.Prefix)); err != nil {
		return nil, err
	}
	if err := stmt.BindText(2, triggers.Prefix); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for stmt.Step() {
		out[stmt.ColumnText(0)] = stmt.ColumnText(1)
	}
	return out, stmt.Err()
}

// diff compares installed with expected triggers, in a stable order.
func diff(have map[string]string, want []triggers.Trigger) []Drift {
	var out []Drift
	seen := map[string]bool{}
	for _, t := range want {
		seen[t.Name] = true
		switch sql, ok := have[t.Name]; {
		case !ok:
			out = append(out, Drift{t.Name, Missing})
		case sql != t.SQL:
			out = append(out, Drift{t.Name, Changed})
		}
	}
	var extra []string
	for name := range have {
		if !seen[name] {
			extra = append(extra, name)
		}
	}
	slices.Sort(extra)
	for _, name := range extra {
		out = append(out, Drift{name, Extra})
	}
	return out
}

// Drift compares the installed capture triggers with those the live schema
// and the sync spec call for. An empty result means no drift.
func (e *Engine) Drift(ctx context.Context) ([]Drift, error) {
	if e.conn == nil {
		return nil, ErrClosed
	}
	_, want, err := e.expected()
	if err != nil {
		return nil, fmt.Errorf("capture: drift: %w", err)
	}
	have, err := installed(e.conn)
	if err != nil {
		return nil, fmt.Errorf("capture: drift: %w", err)
	}
	return diff(have, want), nil
}

// Install brings the capture triggers in line with the live schema and the
// sync spec, in one transaction: it creates the missing triggers, replaces
// the changed ones, drops those no longer expected and leaves the rest
// alone, then records the sync fingerprint. When it writes a table's
// insert trigger, or after Open migrated the database, it also adopts the
// rows that have no register (Adopt). Run it after a migration or an ALTER TABLE that adds a
// column; Open runs it. It is idempotent.
func (e *Engine) Install(ctx context.Context) (rep InstallReport, err error) {
	if e.conn == nil {
		return rep, ErrClosed
	}
	old := e.conn.SetInterrupt(ctx)
	defer e.conn.SetInterrupt(old)

	tx, err := e.conn.BeginImmediate()
	if err != nil {
		return rep, fmt.Errorf("capture: install triggers: %w", err)
	}
	defer tx.End(&err)

	tables, want, err := e.expected()
	if err != nil {
		return rep, fmt.Errorf("capture: install triggers: %w", err)
	}
	have, err := installed(e.conn)
	if err != nil {
		return rep, fmt.Errorf("capture: install triggers: %w", err)
	}
	drift := diff(have, want)
	sqlOf := map[string]string{}
	for _, t := range want {
		sqlOf[t.Name] = t.SQL
	}
	for _, d := range drift {
		if d.Kind != Missing {
			if err := e.conn.Exec(`DROP TRIGGER ` + triggers.Quote(d.Trigger)); err != nil {
				return rep, fmt.Errorf("capture: drop trigger %s: %w", d.Trigger, err)
			}
		}
		if d.Kind != Extra {
			if err := e.conn.Exec(sqlOf[d.Trigger]); err != nil {
				return rep, fmt.Errorf("capture: create trigger %s: %w", d.Trigger, err)
			}
		}
		switch d.Kind {
		case Missing:
			rep.Created = append(rep.Created, d.Trigger)
		case Changed:
			rep.Replaced = append(rep.Replaced, d.Trigger)
		case Extra:
			rep.Dropped = append(rep.Dropped, d.Trigger)
		}
	}
	rep.Unchanged = len(want) - len(rep.Created) - len(rep.Replaced)
	if err := e.placeRegisters(tables); err != nil {
		return rep, fmt.Errorf("capture: %w", err)
	}
	// Rows can have gone without capture only into a table whose insert
	// trigger was missing or wrong, or while a migration ran: only there
	// is the scan for them worth its cost (a new column's trigger alone
	// does not call for it).
	if adopt := tablesToAdopt(tables, drift, e.migrated); len(adopt) > 0 {
		if rep.Adopted, err = e.adopt(ctx, adopt); err != nil {
			return rep, fmt.Errorf("capture: adopt existing rows: %w", err)
		}
	}
	if e.migrated || slices.ContainsFunc(drift, func(d Drift) bool { return d.Kind != Extra && strings.Contains(d.Trigger, ":filter:") }) {
		if rep.Left, rep.Entered, err = e.reconcileFilters(tables); err != nil {
			return rep, fmt.Errorf("capture: %w", err)
		}
	}
	e.migrated = false
	fp := schema.Fingerprint(tables)
	if err := e.exec(`UPDATE sync_state SET spec_fingerprint = ? WHERE id = 1 AND spec_fingerprint IS NOT ?`, fp, fp); err != nil {
		return rep, fmt.Errorf("capture: record fingerprint: %w", err)
	}
	e.tables, e.fingerprint = tables, fp
	if len(drift) > 0 {
		e.log.Info().Int("created", len(rep.Created)).Int("replaced", len(rep.Replaced)).
			Int("dropped", len(rep.Dropped)).Str("fingerprint", fp).Msg("capture triggers refreshed")
	}
	return rep, nil
}

// tablesToAdopt returns the tables whose rows Install scans for ones to
// adopt: every table after a migration, else those whose row-logging
// triggers (triggers.RowNames) were missing or wrong.
func tablesToAdopt(tables []schema.TableInfo, drift []Drift, migrated bool) []schema.TableInfo {
	if migrated {
		return tables
	}
	var out []schema.TableInfo
	for _, t := range tables {
		if slices.ContainsFunc(drift, func(d Drift) bool { return d.Kind != Extra && slices.Contains(triggers.RowNames(t), d.Trigger) }) {
			out = append(out, t)
		}
	}
	return out
}
