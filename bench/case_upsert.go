package main

import (
	"context"
	"fmt"
	"regexp"
	"time"
)

// The upsert cases: the update, insert and delete cases with t's triggers
// writing the register as they did before they had to parse on SQLite
// 3.22: one INSERT ... ON CONFLICT DO UPDATE (SQLite 3.35), instead of an
// UPDATE and an INSERT of the register when the UPDATE found none. Run
// beside update, insert and delete, they measure that replacement in the
// same run.

// registerWrite matches a trigger's register write: its UPDATE and
// INSERT, and the tombstone flag they set.
var registerWrite = regexp.MustCompile(`(?s)  UPDATE "capture_registers" SET .*? "tombstone" = ([01])\n  WHERE [^\n]*;\n  (INSERT INTO "capture_registers" [^\n]*)\n  (SELECT [^\n]*) AND changes\(\) = 0;`)

// upsertTriggers rewrites t's capture triggers so that each writes its
// register with the upsert.
func upsertTriggers(d *db) error {
	if d.engine == nil {
		return nil
	}
	var names, sqls []string
	stmt, _, err := d.conn.Prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 't' AND name LIKE 'capture:%'`)
	if err != nil {
		return err
	}
	for stmt.Step() {
		names, sqls = append(names, stmt.ColumnText(0)), append(sqls, stmt.ColumnText(1))
	}
	if err := stmt.Close(); err != nil {
		return err
	}
	for i, sql := range sqls {
		up := registerWrite.ReplaceAllString(sql, `  $2
  $3
  ON CONFLICT DO UPDATE SET "hlc" = excluded."hlc", "origin" = NULL, "seq" = excluded."seq", "tombstone" = excluded."tombstone";`)
		if up == sql {
			return fmt.Errorf("trigger %s: no register write to rewrite", names[i])
		}
		if err := d.conn.Exec(`DROP TRIGGER "` + names[i] + `"; ` + up); err != nil {
			return fmt.Errorf("rewrite trigger %s: %w", names[i], err)
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("t has no capture triggers")
	}
	return nil
}

// caseUpdateUpsert is the update case with upsertTriggers.
func caseUpdateUpsert(ctx context.Context, cfg *Config) ([]Result, error) {
	spec := updateSpec(cfg.N, upsertTriggers)
	r, err := pairs(cfg, "update-upsert", cfg.N, spec.side(ctx, cfg, "update-upsert", false), spec.side(ctx, cfg, "update-upsert", true))
	r.Note = "the update case, the register written by an upsert (SQLite 3.35) as before"
	return []Result{r}, err
}

// caseInsertUpsert is the insert case with upsertTriggers.
func caseInsertUpsert(ctx context.Context, cfg *Config) ([]Result, error) {
	rows := peerRows(cfg.N)
	spec := sideSpec{
		open:    openPeer,
		prepare: func(d *db, run int) error { return upsertTriggers(d) },
		timed:   func(d *db, run int) (time.Duration, error) { return insertPeer(d.conn, rows) },
		check: func(d *db, run int) error {
			return expectCaptured(d, "t", 1, int64(len(rows)))
		},
	}
	r, err := pairs(cfg, "insert-upsert", cfg.N, spec.side(ctx, cfg, "insert-upsert", false), spec.side(ctx, cfg, "insert-upsert", true))
	r.Note = "the insert case, the register written by an upsert (SQLite 3.35) as before"
	return []Result{r}, err
}

// caseDeleteUpsert is the delete case with upsertTriggers.
func caseDeleteUpsert(ctx context.Context, cfg *Config) ([]Result, error) {
	spec := deleteSpec(cfg.N, upsertTriggers)
	r, err := pairs(cfg, "delete-upsert", cfg.N, spec.side(ctx, cfg, "delete-upsert", false), spec.side(ctx, cfg, "delete-upsert", true))
	r.Note = "the delete case, the register written by an upsert (SQLite 3.35) as before"
	return []Result{r}, err
}

// dropForeignKeyTriggers drops the foreign-key triggers
// (triggers.ForeignKeys) of a captured database.
func dropForeignKeyTriggers(d *db) error {
	if d.engine == nil {
		return nil
	}
	var names []string
	stmt, _, err := d.conn.Prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'capture:*:fk[0-9]*:*'`)
	if err != nil {
		return err
	}
	for stmt.Step() {
		names = append(names, stmt.ColumnText(0))
	}
	if err := stmt.Close(); err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("no foreign-key triggers to drop")
	}
	for _, n := range names {
		if err := d.conn.Exec(`DROP TRIGGER "` + n + `"`); err != nil {
			return fmt.Errorf("drop %s: %w", n, err)
		}
	}
	return nil
}

// caseDeleteAppNoFK is the delete-app case without the foreign-key
// triggers: beside delete-app, what they cost a release's delete.
func caseDeleteAppNoFK(ctx context.Context, cfg *Config) ([]Result, error) {
	rows := releases(cfg.N)
	spec := sideSpec{
		open: openApp,
		prepare: func(d *db, run int) error {
			if _, err := insertReleases(d.conn, rows); err != nil {
				return err
			}
			return dropForeignKeyTriggers(d)
		},
		timed: func(d *db, run int) (time.Duration, error) { return deleteReleases(d.conn, rows) },
		check: func(d *db, run int) error {
			return expectCaptured(d, "discovery_releases", 3, int64(len(rows)))
		},
	}
	r, err := pairs(cfg, "delete-app-nofk", cfg.N, spec.side(ctx, cfg, "delete-app-nofk", false), spec.side(ctx, cfg, "delete-app-nofk", true))
	r.Note = "the delete-app case without the triggers that hold foreign keys for clients with foreign_keys off"
	return []Result{r}, err
}
