package main

import (
	"context"
	"fmt"
	"time"
)

// sideSpec describes one side of a plain/captured case: how to open its
// database, what to do untimed before the timed phase, the timed phase, and
// an untimed check that the phase did what it should.
type sideSpec struct {
	open    func(ctx context.Context, path string, captured bool) (*db, error)
	prepare func(d *db, run int) error                  // may be nil
	timed   func(d *db, run int) (time.Duration, error) // required
	check   func(d *db, run int) error                  // may be nil
}

// side returns the timedSide of spec for plain or captured, each run in a
// fresh database file under cfg.Dir that is deleted afterwards.
func (spec sideSpec) side(ctx context.Context, cfg *Config, name string, captured bool) timedSide {
	kind := "plain"
	if captured {
		kind = "captured"
	}
	return func(run int) (dt time.Duration, err error) {
		d, err := spec.open(ctx, cfg.path(fmt.Sprintf("%s-%s-%d.db", name, kind, run)), captured)
		if err != nil {
			return 0, err
		}
		defer func() {
			if derr := d.drop(); err == nil && derr != nil {
				err = fmt.Errorf("remove %s: %w", d.path, derr)
			}
		}()
		if spec.prepare != nil {
			if err := spec.prepare(d, run); err != nil {
				return 0, fmt.Errorf("setup: %w", err)
			}
		}
		dt, err = spec.timed(d, run)
		if err != nil {
			return 0, err
		}
		if spec.check != nil {
			if err := spec.check(d, run); err != nil {
				return 0, fmt.Errorf("check: %w", err)
			}
		}
		return dt, nil
	}
}

// fillThen returns a prepare step that fills a database (untimed), then
// runs afterFill on it unless that is nil.
func fillThen(fill func(d *db) (time.Duration, error), afterFill func(d *db) error) func(d *db, run int) error {
	return func(d *db, run int) error {
		if _, err := fill(d); err != nil || afterFill == nil {
			return err
		}
		return afterFill(d)
	}
}

// expectCount fails unless the query returns want.
func expectCount(d *db, what string, want int64, sql string, args ...any) error {
	got, err := queryInt(d.conn, sql, args...)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%s: got %d, want %d", what, got, want)
	}
	return nil
}

// expectCaptured fails unless a captured database's change log holds want
// changes of table with operation op on the row level (empty field_name) or,
// for updates, on any field. It does nothing for a plain database.
func expectCaptured(d *db, table string, op, want int64) error {
	if d.engine == nil {
		return nil
	}
	sql := `SELECT count(*) FROM local_changes WHERE entity_type = ? AND op = ? AND field_name = ''`
	if op == 2 {
		sql = `SELECT count(*) FROM local_changes WHERE entity_type = ? AND op = ?`
	}
	return expectCount(d, fmt.Sprintf("captured changes of %s with op %d", table, op), want, sql, table, op)
}
