package main

import (
	"context"
	"time"
)

// The peer-shaped cases: the cr-sqlite peer benchmark's table t and
// workload, captured (t synced) against plain.

// caseUpdate times UPDATE t SET a=? WHERE id=? for every row of a table of
// cfg.N rows (inserted untimed, captured on the captured side).
func caseUpdate(ctx context.Context, cfg *Config) ([]Result, error) {
	return one(updateAt(ctx, cfg, "update", cfg.N))
}

// updateAt is the update case at n rows, under name.
func updateAt(ctx context.Context, cfg *Config, name string, n int) (Result, error) {
	spec := updateSpec(n, nil)
	return pairs(cfg, name, n, spec.side(ctx, cfg, name, false), spec.side(ctx, cfg, name, true))
}

// updateSpec is the update case's sides at n rows. afterFill, unless nil,
// runs on each database once its rows are in, before the clock starts.
func updateSpec(n int, afterFill func(d *db) error) sideSpec {
	rows := peerRows(n)
	return sideSpec{
		open:    openPeer,
		prepare: fillThen(func(d *db) (time.Duration, error) { return insertPeer(d.conn, rows) }, afterFill),
		timed: func(d *db, run int) (time.Duration, error) {
			return updatePeer(d.conn, peerUpdates(n, run))
		},
		check: func(d *db, run int) error {
			if err := expectCount(d, "updated rows", int64(n), `SELECT count(*) FROM t WHERE a LIKE 'a-updated-%'`); err != nil {
				return err
			}
			return expectCaptured(d, "t", 2, int64(n))
		},
	}
}

// caseInsert times the full-row INSERT of cfg.N rows into an empty t.
func caseInsert(ctx context.Context, cfg *Config) ([]Result, error) {
	rows := peerRows(cfg.N)
	spec := sideSpec{
		open:  openPeer,
		timed: func(d *db, run int) (time.Duration, error) { return insertPeer(d.conn, rows) },
		check: func(d *db, run int) error {
			if err := expectCount(d, "rows", int64(len(rows)), `SELECT count(*) FROM t`); err != nil {
				return err
			}
			return expectCaptured(d, "t", 1, int64(len(rows)))
		},
	}
	return one(pairs(cfg, "insert", cfg.N, spec.side(ctx, cfg, "insert", false), spec.side(ctx, cfg, "insert", true)))
}

// caseDelete times DELETE FROM t WHERE id=? for every row of a table of
// cfg.N rows (inserted untimed).
func caseDelete(ctx context.Context, cfg *Config) ([]Result, error) {
	spec := deleteSpec(cfg.N, nil)
	return one(pairs(cfg, "delete", cfg.N, spec.side(ctx, cfg, "delete", false), spec.side(ctx, cfg, "delete", true)))
}

// deleteSpec is the delete case's sides; afterFill, when not nil, runs
// once the rows are in, before the timed phase.
func deleteSpec(n int, afterFill func(d *db) error) sideSpec {
	rows := peerRows(n)
	return sideSpec{
		open:    openPeer,
		prepare: fillThen(func(d *db) (time.Duration, error) { return insertPeer(d.conn, rows) }, afterFill),
		timed:   func(d *db, run int) (time.Duration, error) { return deletePeer(d.conn, len(rows)) },
		check: func(d *db, run int) error {
			if err := expectCount(d, "rows left", 0, `SELECT count(*) FROM t`); err != nil {
				return err
			}
			return expectCaptured(d, "t", 3, int64(len(rows)))
		},
	}
}
