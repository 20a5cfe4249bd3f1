package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// caseAlter times ALTER TABLE t ADD COLUMN f TEXT plus Engine.Install (which
// refreshes t's triggers so that f is tracked) on a captured table of cfg.N
// rows, against the ALTER alone on the same table without the engine. Both
// sides start from a copy of one template database (t filled without
// capture, checkpointed), so the captured side's change log is empty: the
// case of an existing database upgraded in place.
func caseAlter(ctx context.Context, cfg *Config) ([]Result, error) {
	template := cfg.path("alter-template.db")
	if err := makePeerTemplate(template, cfg.N); err != nil {
		return nil, fmt.Errorf("alter: %w", err)
	}
	defer removeDB(template)

	var alterMS, installMS []float64
	plain := func(run int) (time.Duration, error) {
		d, err := openCopy(template, cfg.path(fmt.Sprintf("alter-plain-%d.db", run)))
		if err != nil {
			return 0, err
		}
		defer d.drop()
		start := time.Now()
		if err := d.conn.Exec(`ALTER TABLE t ADD COLUMN f TEXT`); err != nil {
			return 0, fmt.Errorf("alter: %w", err)
		}
		return time.Since(start), nil
	}
	captured := func(run int) (time.Duration, error) {
		d, err := openCopy(template, cfg.path(fmt.Sprintf("alter-captured-%d.db", run)))
		if err != nil {
			return 0, err
		}
		defer d.drop()
		if err := d.capture(ctx); err != nil {
			return 0, err
		}
		start := time.Now()
		if err := d.conn.Exec(`ALTER TABLE t ADD COLUMN f TEXT`); err != nil {
			return 0, fmt.Errorf("alter: %w", err)
		}
		mid := time.Now()
		rep, err := d.engine.Install(ctx)
		if err != nil {
			return 0, fmt.Errorf("install after alter: %w", err)
		}
		end := time.Now()
		if len(rep.Created)+len(rep.Replaced) == 0 {
			return 0, fmt.Errorf("install after alter wrote no trigger: %+v", rep)
		}
		if err := d.conn.Exec(`UPDATE t SET f = 'x' WHERE id = 1`); err != nil {
			return 0, fmt.Errorf("check: %w", err)
		}
		if err := expectCount(d, "captured changes of f", 1, `SELECT count(*) FROM local_changes WHERE field_name = 'f'`); err != nil {
			return 0, fmt.Errorf("check: %w", err)
		}
		alterMS, installMS = append(alterMS, ms(mid.Sub(start))), append(installMS, ms(end.Sub(mid)))
		return end.Sub(start), nil
	}
	r, err := pairs(cfg, "alter", cfg.N, plain, captured)
	if err != nil {
		return nil, err
	}
	// One ALTER (+ Install) is the operation.
	r.OpsPerSec, r.PlainOpsPerSec, r.CapturedUSPerOp = perSecond(1, r.CapturedMS), perSecond(1, r.PlainMS), 0
	r.Extra = map[string]any{"alter_ms": median(alterMS), "install_ms": median(installMS)}
	r.Note = fmt.Sprintf("captured = alter %.1f ms + install %.1f ms", median(alterMS), median(installMS))
	return []Result{r}, nil
}

// makePeerTemplate creates a database at path with t holding n rows,
// inserted without capture, and checkpoints it so the file holds everything.
func makePeerTemplate(path string, n int) error {
	d, err := openPeer(context.Background(), path, false)
	if err != nil {
		return err
	}
	if _, err := insertPeer(d.conn, peerRows(n)); err != nil {
		d.drop()
		return fmt.Errorf("fill template: %w", err)
	}
	if err := d.conn.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		d.drop()
		return fmt.Errorf("checkpoint template: %w", err)
	}
	return d.close()
}

// openCopy copies the database file src to dst and opens the copy, with the
// schema read (so the timed statement does not pay for loading it).
func openCopy(src, dst string) (*db, error) {
	if err := copyFile(src, dst); err != nil {
		return nil, err
	}
	conn, err := openFile(dst)
	if err != nil {
		removeDB(dst)
		return nil, err
	}
	d := &db{path: dst, conn: conn}
	if _, err := queryInt(conn, `SELECT count(*) FROM sqlite_schema`); err != nil {
		d.drop()
		return nil, err
	}
	return d, nil
}

// copyFile copies the file src to dst.
func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("copy to %s: %w", dst, cerr)
		}
	}()
	if _, err := io.Copy(out, in); err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return nil
}
