package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
)

// The floor cases: the least that the engine's design, as the issue fixes
// it, can cost, measured exactly as the cases they bound. Neither runs the
// engine's own code on its timed path; each does only the SQLite writes
// and reads that every captured edit or merged change needs, so a ratio
// below a floor is out of reach of any tuning of the engine.

// floorTrigger is the least a capture trigger of column a of t does: the
// change appended to local_changes with its old and new values, and its
// register stamped (t's registers are in capture_registers), in the same transaction. Its stamp
// is a constant: no clock is read and the applying flag is not checked.
const floorTrigger = `CREATE TRIGGER "floor:t:update:a" AFTER UPDATE OF "a" ON "t"
WHEN OLD."a" IS NOT NEW."a"
BEGIN
  INSERT INTO "local_changes" ("entity_type", "entity_id", "field_name", "op", "old_value", "new_value", "hlc")
  VALUES ('t', NEW."id", 'a', 2, OLD."a", NEW."a", 1);
  INSERT INTO "capture_registers" ("entity_type", "entity_id", "field_name", "hlc", "origin", "seq", "tombstone")
  SELECT "entity_type", "entity_id", "field_name", "hlc", NULL, "seq", 0 FROM "local_changes" WHERE "seq" = last_insert_rowid()
  ON CONFLICT DO UPDATE SET "hlc" = excluded."hlc", "origin" = NULL, "seq" = excluded."seq", "tombstone" = excluded."tombstone";
END`

// caseFloorUpdate is the update case with t's capture triggers, once its
// rows are in, replaced by floorTrigger.
func caseFloorUpdate(ctx context.Context, cfg *Config) ([]Result, error) {
	n := cfg.N
	spec := updateSpec(n, func(d *db) error { return replaceTrigger(d, "capture:t:update:a", floorTrigger) })
	r, err := pairs(cfg, "floor-update", n, spec.side(ctx, cfg, "floor-update", false), spec.side(ctx, cfg, "floor-update", true))
	if err != nil {
		return nil, err
	}
	r.Note = "bound of update: a trigger that only logs and stamps, with a constant stamp"
	return []Result{r}, nil
}

// caseFloorMerge is the merge case with lww.Apply replaced by floorMerge.
func caseFloorMerge(ctx context.Context, cfg *Config) ([]Result, error) {
	return one(mergeAt(ctx, cfg, "floor-merge", peerShape(cfg.N), merger{"bound of merge", floorMerge}))
}

// floorBatch is the most records lww.Apply sorts at a time (its first
// batches are smaller).
const floorBatch = 1 << 15

// floorMerge makes the reads and writes that lww.Apply makes for the
// shape's edits, in about the order it makes them, and nothing else: for
// each edit, the entity's first two registers are read (the existence
// register and the next, the field's when it has one, as Apply reads
// them); for each edit that wins (B did not edit the field later), the row
// is updated, the change logged with A as its origin and the register
// stamped. No changeset is read and nothing is decided: which edits win
// is known beforehand, and every stamp is a constant.
func floorMerge(ctx context.Context, d *db, s mergeShape, _ []byte, aNode string) (won, lost int, err error) {
	if s.app {
		return 0, 0, fmt.Errorf("floor merge: the peer shape only")
	}
	type edit struct {
		fieldEdit
		loses bool
	}
	edits := make([]edit, len(s.aEdits))
	for k, e := range s.aEdits {
		edits[k] = edit{e, k%loserShare == 0} // splitLosers' choice
	}
	for b := 0; b < len(edits); b += floorBatch {
		slices.SortStableFunc(edits[b:min(b+floorBatch, len(edits))], func(x, y edit) int {
			return cmp.Compare(x.key.(int64), y.key.(int64))
		})
	}
	type stmts struct{ regs, update, log, stamp *sqlite3.Stmt }
	per := make([]stmts, len(s.target.cols))
	for k, col := range s.target.cols {
		f := "'" + col + "'"
		texts := []string{
			`SELECT field_name, hlc, origin, tombstone FROM field_timestamps WHERE entity_type = 't' AND entity_id = ?1 ORDER BY field_name`,
			`UPDATE "t" SET "` + col + `" = ? WHERE "id" = ?`,
			`INSERT INTO local_changes (entity_type, entity_id, field_name, op, new_value, hlc, origin) VALUES ('t', ?, ` + f + `, 2, ?, 1, ?)`,
			`INSERT INTO capture_registers (entity_type, entity_id, field_name, hlc, origin, seq, tombstone) VALUES ('t', ?, ` + f + `, 1, ?, last_insert_rowid(), 0)
			ON CONFLICT DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin, seq = excluded.seq, tombstone = excluded.tombstone`,
		}
		ps := make([]*sqlite3.Stmt, len(texts))
		for i, text := range texts {
			if ps[i], _, err = d.conn.Prepare(text); err != nil {
				return 0, 0, fmt.Errorf("floor merge: prepare %s: %w", text, err)
			}
			defer ps[i].Close()
		}
		per[k] = stmts{ps[0], ps[1], ps[2], ps[3]}
	}
	// As lww.Apply: a 16 MiB page cache and, for its transaction, the
	// (capture) triggers off.
	if err := d.conn.Exec(`PRAGMA cache_size = -16384; BEGIN IMMEDIATE`); err != nil {
		return 0, 0, fmt.Errorf("floor merge: begin: %w", err)
	}
	defer d.conn.Exec(`ROLLBACK`) // a no-op once committed
	if _, err := d.conn.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER, false); err != nil {
		return 0, 0, fmt.Errorf("floor merge: triggers off: %w", err)
	}
	defer d.conn.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER, true)
	var hlc int64
	for _, e := range edits {
		st := per[e.col]
		id := e.key.(int64)
		if err := st.regs.BindInt64(1, id); err != nil {
			return 0, 0, err
		}
		for r := 0; r < 2 && st.regs.Step(); r++ { // the existence register and the next
			hlc += st.regs.ColumnInt64(1)
		}
		if err := firstErr(st.regs.Err(), st.regs.Reset()); err != nil {
			return 0, 0, fmt.Errorf("floor merge: registers of %d: %w", id, err)
		}
		if e.loses {
			lost++
			continue
		}
		if err := floorWrite(st.update, st.log, st.stamp, id, e.val, aNode); err != nil {
			return 0, 0, fmt.Errorf("floor merge: write %d: %w", id, err)
		}
		won++
	}
	if hlc == 0 {
		return 0, 0, fmt.Errorf("floor merge: no register read")
	}
	if err := d.conn.Exec(`COMMIT`); err != nil {
		return 0, 0, fmt.Errorf("floor merge: commit: %w", err)
	}
	return won, lost, nil
}

// floorWrite updates the row, logs the change and stamps its register.
func floorWrite(update, log, stamp *sqlite3.Stmt, id int64, val any, origin string) error {
	if err := firstErr(capture.BindValue(update, 1, val), update.BindInt64(2, id)); err != nil {
		return err
	}
	if err := update.Exec(); err != nil {
		return err
	}
	if err := firstErr(log.BindInt64(1, id), capture.BindValue(log, 2, val), log.BindText(3, origin)); err != nil {
		return err
	}
	if err := log.Exec(); err != nil {
		return err
	}
	if err := firstErr(stamp.BindInt64(1, id), stamp.BindText(2, origin)); err != nil {
		return err
	}
	return stamp.Exec()
}
