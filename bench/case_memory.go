package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/lww"
)

// The memory case: peak RSS while exporting a delta of cfg.N single-field
// changes of the peer shape to a file, and while applying it on the other
// device. VmHWM cannot be reset, so each phase runs in a child process of
// its own (this executable with -child -cases memory -phase P): "build"
// makes both databases and exits, "export" only opens device A and exports,
// "apply" only opens device B and applies the file. Without child
// processes (-inprocess, go test) the phases run in this process and the
// figures are the process's peak so far.

// Phases of the memory case.
const (
	phaseBuild  = "build"
	phaseExport = "export"
	phaseApply  = "apply"
)

// memoryFiles are the files the phases hand on to each other, in cfg.Dir.
func memoryFiles(cfg *Config) (a, b, cs string) {
	return cfg.path("memory-a.db"), cfg.path("memory-b.db"), cfg.path("memory-delta.changeset")
}

func caseMemory(ctx context.Context, cfg *Config) ([]Result, error) {
	if cfg.Phase != "" {
		r, err := memoryPhase(ctx, cfg, cfg.Phase)
		if err != nil {
			return nil, err
		}
		return []Result{r}, nil
	}
	a, b, cs := memoryFiles(cfg)
	defer removeDB(a)
	defer removeDB(b)
	defer os.Remove(cs)
	phase := func(p string) (Result, error) {
		if !cfg.Spawn {
			return memoryPhase(ctx, cfg, p)
		}
		c := *cfg
		c.Phase, c.Runs = p, 1
		rs, err := runChild("memory", &c, os.Stderr)
		if err != nil {
			return Result{}, fmt.Errorf("memory: %s phase: %w", p, err)
		}
		return rs[0], nil
	}
	build, err := phase(phaseBuild)
	if err != nil {
		return nil, err
	}
	exp, err := phase(phaseExport)
	if err != nil {
		return nil, err
	}
	app, err := phase(phaseApply)
	if err != nil {
		return nil, err
	}
	for _, r := range []*Result{&exp, &app} {
		r.Extra["build_ms"] = build.CapturedMS
		if build.PeakRSSMB != nil {
			r.Extra["build_peak_rss_mb"] = *build.PeakRSSMB
		}
	}
	return []Result{exp, app}, nil
}

// memoryPhase runs one phase in this process and returns its result, with
// the process's peak RSS.
func memoryPhase(ctx context.Context, cfg *Config, phase string) (Result, error) {
	n := cfg.N
	if n < 1 {
		return Result{}, fmt.Errorf("memory: row count must be at least 1, got %d", n)
	}
	aPath, bPath, csPath := memoryFiles(cfg)
	scope := "phase"
	if !cfg.Spawn && cfg.Phase == "" {
		scope = "process"
	}
	withPeak := func(r Result, opened float64) Result {
		if mb, ok := peakRSSMB(); ok {
			r.PeakRSSMB, r.RSSScope = ptr(mb), scope
			r.Extra["peak_rss_after_open_mb"] = opened
		}
		return r
	}
	switch phase {
	case phaseBuild:
		start := time.Now()
		if err := memoryBuild(ctx, cfg, aPath, bPath); err != nil {
			return Result{}, fmt.Errorf("memory: build: %w", err)
		}
		cfg.logf("memory: built devices A and B with %d rows and A's %d edits in %.1f s", n, n, time.Since(start).Seconds())
		return withPeak(Result{Name: "memory-build", N: n, Runs: 1, CapturedMS: ms(time.Since(start)), Extra: map[string]any{}}, 0), nil

	case phaseExport:
		d, err := reopen(ctx, aPath, false, true)
		if err != nil {
			return Result{}, err
		}
		defer d.close()
		devs, err := d.engine.Devices(ctx)
		if err != nil || len(devs) != 1 {
			return Result{}, fmt.Errorf("memory: export: paired devices %v, %v", devs, err)
		}
		opened, _ := peakRSSMB()
		f, err := os.Create(csPath)
		if err != nil {
			return Result{}, err
		}
		cw := &countingWriter{w: f}
		runtime.GC()
		stop := startProfile("memory-export")
		start := time.Now()
		st, err := d.engine.Export(ctx, cw, capture.ExportOptions{Peer: devs[0].ID})
		dt := time.Since(start)
		stop()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return Result{}, fmt.Errorf("memory: export: %w", err)
		}
		if st.Fields != int64(n) || st.Rows != 0 {
			return Result{}, fmt.Errorf("memory: export: %d field and %d row records, want %d and 0", st.Fields, st.Rows, n)
		}
		r := withPeak(Result{Name: "memory-export", N: n, Runs: 1, CapturedMS: ms(dt), OpsPerSec: perSecond(n, ms(dt)),
			CapturedUSPerOp: ms(dt) * 1000 / float64(n),
			Extra:           map[string]any{"bytes": cw.n, "included": "Go runtime, engine open (schema, triggers check), SQLite page cache (raised to 16 MiB for the export), Export of the delta to a file"}}, opened)
		r.Note = fmt.Sprintf("peak RSS of a process that opens A and exports %d changes to a file (%d bytes); target < 100 MB", n, cw.n)
		return r, nil

	case phaseApply:
		d, err := reopen(ctx, bPath, false, true)
		if err != nil {
			return Result{}, err
		}
		defer d.close()
		opened, _ := peakRSSMB()
		f, err := os.Open(csPath)
		if err != nil {
			return Result{}, err
		}
		defer f.Close()
		runtime.GC()
		stop := startProfile("memory-apply")
		start := time.Now()
		res, err := lww.Apply(ctx, d.engine, f, lww.Options{})
		dt := time.Since(start)
		stop()
		if err != nil {
			return Result{}, fmt.Errorf("memory: apply: %w", err)
		}
		r := withPeak(Result{Name: "memory-apply", N: n, Runs: 1, CapturedMS: ms(dt), OpsPerSec: perSecond(n, ms(dt)),
			CapturedUSPerOp: ms(dt) * 1000 / float64(n),
			Extra: map[string]any{"won": res.Won, "lost": res.Lost,
				"included": "Go runtime, engine open, SQLite page cache (raised to lww.DefaultCacheKiB, 16 MiB, for the apply), lww.Apply streaming the changeset file in one transaction, in batches of up to 32,768 records, one applied while the next is read"}}, opened)
		if res.Records != n || res.Won != n {
			return Result{}, fmt.Errorf("memory: apply: %d records, %d won, want %d", res.Records, res.Won, n)
		}
		if err := checkEdits(d.conn, peerTarget, peerEditsInOrder(n)); err != nil {
			return Result{}, fmt.Errorf("memory: apply: check: %w", err)
		}
		r.Note = fmt.Sprintf("peak RSS of a process that opens B and applies the %d changes from the file; target < 100 MB", n)
		return r, nil
	}
	return Result{}, fmt.Errorf("memory: unknown phase %q", phase)
}

// memoryBuild makes devices A and B with the same n rows of t, each
// inserted on both (B's inserts are its own, older than A's edits, which
// therefore all win on B: a snapshot of 1,000,000 rows would take as long
// again and change nothing measured), A's cursor for B past its inserts,
// then A's single-field edit of every row.
func memoryBuild(ctx context.Context, cfg *Config, aPath, bPath string) error {
	removeDB(aPath)
	removeDB(bPath)
	a, err := openPeer(ctx, aPath, true)
	if err != nil {
		return err
	}
	defer a.close()
	b, err := openPeer(ctx, bPath, true)
	if err != nil {
		return err
	}
	defer b.close()
	if err := pairBoth(ctx, a.engine, b.engine); err != nil {
		return err
	}
	rows := peerRows(cfg.N)
	if _, err := insertPeer(b.conn, rows); err != nil {
		return fmt.Errorf("fill B: %w", err)
	}
	if _, err := insertPeer(a.conn, rows); err != nil {
		return fmt.Errorf("fill A: %w", err)
	}
	last, err := a.engine.LastSeq(ctx)
	if err != nil {
		return err
	}
	if err := a.engine.Ack(ctx, b.engine.NodeID(), last); err != nil {
		return err
	}
	rows = nil
	time.Sleep(2 * time.Millisecond)
	if _, err := editFields(a.conn, peerTarget, peerEditsInOrder(cfg.N)); err != nil {
		return fmt.Errorf("edits on A: %w", err)
	}
	if err := saveTemplate(a); err != nil {
		return err
	}
	return saveTemplate(b)
}
