package main

import (
	"context"
	"time"
)

// The app cases: the same three operations on the app's discovery_releases
// table, in a desktop database migrated with schema.Migrate (plain) or
// opened with capture.Open and the app's sync spec (captured).

// caseUpdateApp times UPDATE discovery_releases SET notes=? WHERE id=? for
// every one of cfg.N releases (inserted untimed).
func caseUpdateApp(ctx context.Context, cfg *Config) ([]Result, error) {
	spec := updateAppSpec(cfg.N, nil)
	return one(pairs(cfg, "update-app", cfg.N, spec.side(ctx, cfg, "update-app", false), spec.side(ctx, cfg, "update-app", true)))
}

// updateAppSpec is the update-app case's sides; afterFill, when not nil,
// runs once the releases are in, before the timed phase.
func updateAppSpec(n int, afterFill func(d *db) error) sideSpec {
	rows := releases(n)
	return sideSpec{
		open:    openApp,
		prepare: fillThen(func(d *db) (time.Duration, error) { return insertReleases(d.conn, rows) }, afterFill),
		timed: func(d *db, run int) (time.Duration, error) {
			return updateReleaseNotes(d.conn, rows, releaseNotes(len(rows), run))
		},
		check: func(d *db, run int) error {
			if err := expectCount(d, "releases with notes", int64(len(rows)), `SELECT count(*) FROM discovery_releases WHERE notes IS NOT NULL`); err != nil {
				return err
			}
			return expectCaptured(d, "discovery_releases", 2, int64(len(rows)))
		},
	}
}

// caseInsertApp times the full-row INSERT of cfg.N releases.
func caseInsertApp(ctx context.Context, cfg *Config) ([]Result, error) {
	rows := releases(cfg.N)
	spec := sideSpec{
		open:  openApp,
		timed: func(d *db, run int) (time.Duration, error) { return insertReleases(d.conn, rows) },
		check: func(d *db, run int) error {
			if err := expectCount(d, "releases", int64(len(rows)), `SELECT count(*) FROM discovery_releases`); err != nil {
				return err
			}
			return expectCaptured(d, "discovery_releases", 1, int64(len(rows)))
		},
	}
	return one(pairs(cfg, "insert-app", cfg.N, spec.side(ctx, cfg, "insert-app", false), spec.side(ctx, cfg, "insert-app", true)))
}

// caseDeleteApp times DELETE FROM discovery_releases WHERE id=? for every
// one of cfg.N releases (inserted untimed).
func caseDeleteApp(ctx context.Context, cfg *Config) ([]Result, error) {
	rows := releases(cfg.N)
	spec := sideSpec{
		open:    openApp,
		prepare: func(d *db, run int) error { _, err := insertReleases(d.conn, rows); return err },
		timed:   func(d *db, run int) (time.Duration, error) { return deleteReleases(d.conn, rows) },
		check: func(d *db, run int) error {
			if err := expectCount(d, "releases left", 0, `SELECT count(*) FROM discovery_releases`); err != nil {
				return err
			}
			return expectCaptured(d, "discovery_releases", 3, int64(len(rows)))
		},
	}
	return one(pairs(cfg, "delete-app", cfg.N, spec.side(ctx, cfg, "delete-app", false), spec.side(ctx, cfg, "delete-app", true)))
}

// one wraps a single result as a case's result list.
func one(r Result, err error) ([]Result, error) {
	if err != nil {
		return nil, err
	}
	return []Result{r}, nil
}
