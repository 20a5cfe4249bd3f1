package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/lww"
)

// The merge cases: a changeset of single-field edits from device A applied
// with lww.Apply on device B, one in four of them losing to B's later
// edits of the same fields, against the same edits made as plain UPDATEs
// on a database without triggers; and the export of such a changeset.

// mergeShape is what a merge case runs on.
type mergeShape struct {
	app    bool // the app's desktop database (discovery_releases), else the peer shape
	target editTarget
	// fill inserts the rows (n of them) into an empty database.
	fill func(d *db) error
	// edits are A's edits and B's later ones of the same fields.
	aEdits, bEdits []fieldEdit
}

func peerShape(n int) mergeShape {
	rows := peerRows(n)
	a, b := peerEdits(n)
	return mergeShape{target: peerTarget, aEdits: a, bEdits: b,
		fill: func(d *db) error { _, err := insertPeer(d.conn, rows); return err }}
}

func appShape(n int) mergeShape {
	rows := releases(n)
	a, b := releaseEdits(rows)
	return mergeShape{app: true, target: releaseTarget, aEdits: a, bEdits: b,
		fill: func(d *db) error { _, err := insertReleases(d.conn, rows); return err }}
}

// open creates an empty database of the shape.
func (s mergeShape) open(ctx context.Context, path string, captured bool) (*db, error) {
	if s.app {
		return openApp(ctx, path, captured)
	}
	return openPeer(ctx, path, captured)
}

// plainTemplate creates the plain database (the rows, no triggers) that the
// plain side of each run copies.
func (s mergeShape) plainTemplate(ctx context.Context, path string) error {
	d, err := s.open(ctx, path, false)
	if err != nil {
		return err
	}
	if err := s.fill(d); err != nil {
		d.drop()
		return fmt.Errorf("fill plain template: %w", err)
	}
	return saveTemplate(d)
}

// plainEdits is the plain side of a merge case: the same edits as A's, as
// plain UPDATEs on a copy of the plain template.
func (s mergeShape) plainEdits(ctx context.Context, cfg *Config, name, template string, after func(d *db, run int) error) timedSide {
	return func(run int) (time.Duration, error) {
		d, err := openCopyOf(ctx, template, cfg.path(fmt.Sprintf("%s-plain-%d.db", name, run)), s.app, false)
		if err != nil {
			return 0, err
		}
		defer d.drop()
		dt, err := editFields(d.conn, s.target, s.aEdits)
		if err != nil {
			return 0, err
		}
		if err := checkEdits(d.conn, s.target, s.aEdits); err != nil {
			return 0, fmt.Errorf("check: %w", err)
		}
		if after != nil {
			if err := after(d, run); err != nil {
				return 0, err
			}
		}
		return dt, nil
	}
}

// caseMerge: the peer shape.
func caseMerge(ctx context.Context, cfg *Config) ([]Result, error) {
	return one(mergeAt(ctx, cfg, "merge", peerShape(cfg.N), applyChangeset))
}

// caseMergeInOrder: run.sh's merge, for a like-for-like comparison with
// cr-sqlite: column a of every row, in id order, all winning.
func caseMergeInOrder(ctx context.Context, cfg *Config) ([]Result, error) {
	rows := peerRows(cfg.N)
	s := mergeShape{target: peerTarget, aEdits: peerEditsRunSh(cfg.N),
		fill: func(d *db) error { _, err := insertPeer(d.conn, rows); return err }}
	return one(mergeAt(ctx, cfg, "merge-inorder", s, applyChangeset))
}

// caseMergeApp: the app's discovery_releases.
func caseMergeApp(ctx context.Context, cfg *Config) ([]Result, error) {
	return one(mergeAt(ctx, cfg, "merge-app", appShape(cfg.N), applyChangeset))
}

// merger is what a merge case times: it merges A's delta cs (from node
// aNode) into d, device B's database, and returns how many records won and
// lost.
type merger struct {
	what string // for the note
	run  func(ctx context.Context, d *db, s mergeShape, cs []byte, aNode string) (won, lost int, err error)
}

// applyChangeset is the engine's merger.
var applyChangeset = merger{"lww.Apply", applyDelta}

// applyDelta runs lww.Apply and checks its result against what the
// shape's edits make: n records from aNode, the edits B made later losing,
// nothing parked.
func applyDelta(ctx context.Context, d *db, s mergeShape, cs []byte, aNode string) (int, int, error) {
	n, wantLost := len(s.aEdits), len(s.bEdits)
	res, err := lww.Apply(ctx, d.engine, bytes.NewReader(cs), lww.Options{})
	if err != nil {
		return 0, 0, err
	}
	if res.Origin != aNode || res.Records != n || res.Won != n-wantLost || res.Lost != wantLost || res.Parked != 0 {
		return 0, 0, fmt.Errorf("check: %d records from %s: %d won, %d lost, %d parked; want %d from %s: %d won, %d lost",
			res.Records, res.Origin, res.Won, res.Lost, res.Parked, n, aNode, n-wantLost, wantLost)
	}
	return res.Won, res.Lost, nil
}

// mergeAt builds, once, device B's database and A's delta for it, then
// times each run's merge of the delta on a fresh copy of B against the
// same edits as plain UPDATEs on a copy of a plain database.
func mergeAt(ctx context.Context, cfg *Config, name string, s mergeShape, merge merger) (Result, error) {
	n := len(s.aEdits)
	plainT, bT := cfg.path(name+"-plain-template.db"), cfg.path(name+"-b-template.db")
	defer removeDB(plainT)
	defer removeDB(bT)
	cfg.logf("%s: building the plain database and devices A and B (%d rows)", name, n)
	start := time.Now()
	if err := s.plainTemplate(ctx, plainT); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	cs, aNode, err := s.buildPair(ctx, cfg, name, bT)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	cfg.logf("%s: setup took %.1f s; changeset %d bytes", name, time.Since(start).Seconds(), len(cs))

	wantLost := len(s.bEdits)
	wantWon := n - wantLost
	var seqMS []float64 // peer shape: run.sh's baseline, UPDATE t SET a = ? WHERE id = ? in id order
	var after func(d *db, run int) error
	if !s.app {
		after = func(d *db, run int) error {
			dt, err := updatePeer(d.conn, peerUpdates(n, run))
			if err != nil {
				return fmt.Errorf("sequential update of a: %w", err)
			}
			seqMS = append(seqMS, ms(dt))
			return nil
		}
	}
	var won, lost int
	var applyMS []float64
	captured := func(run int) (time.Duration, error) {
		d, err := openCopyOf(ctx, bT, cfg.path(fmt.Sprintf("%s-b-%d.db", name, run)), s.app, true)
		if err != nil {
			return 0, err
		}
		defer d.drop()
		runtime.GC()
		stop := startProfile(fmt.Sprintf("%s-apply-%d", name, run))
		start := time.Now()
		w, l, err := merge.run(ctx, d, s, cs, aNode)
		dt := time.Since(start)
		stop()
		if err != nil {
			return 0, err
		}
		if err := checkEdits(d.conn, s.target, s.aEdits, s.bEdits); err != nil {
			return 0, fmt.Errorf("check: %w", err)
		}
		if err := expectCount(d, "changes logged from A", int64(wantWon), `SELECT count(*) FROM local_changes WHERE origin = ? AND op = 2`, aNode); err != nil {
			return 0, fmt.Errorf("check: %w", err)
		}
		won, lost = w, l
		applyMS = append(applyMS, ms(dt))
		return dt, nil
	}
	r, err := pairs(cfg, name, n, s.plainEdits(ctx, cfg, name, plainT, after), captured)
	if err != nil {
		return Result{}, err
	}
	r.Extra = map[string]any{"won": won, "lost": lost, "changeset_bytes": len(cs),
		"plain": fmt.Sprintf("the same %d single-field UPDATEs (same rows, order, columns) on a %s without triggers", n, tableDesc(s.app))}
	r.Note = fmt.Sprintf("%s: %d won, %d lost; plain = same edits as UPDATEs", merge.what, won, lost)
	if len(seqMS) == len(applyMS) && len(seqMS) > 0 {
		vsSeq := make([]float64, len(seqMS))
		for i := range seqMS {
			vsSeq[i] = applyMS[i] / seqMS[i]
		}
		r.Extra["seq_update_a_ms"] = median(seqMS)
		r.Extra["ratio_vs_seq_update"] = median(vsSeq)
		r.Extra["ratio_vs_seq_update_runs"] = vsSeq
		r.Note += fmt.Sprintf("; vs run.sh's baseline (UPDATE t SET a, id order) %.2f", median(vsSeq))
	}
	return r, nil
}

func tableDesc(app bool) string {
	if app {
		return "desktop database (schema.Migrate)"
	}
	return "plain t"
}

// buildPair makes devices A and B with the same rows (B from A's snapshot),
// A's edits, then B's later edits of one in four of the same fields, and
// returns A's delta for B and A's node id. B is left as the template at
// bPath; A is deleted.
func (s mergeShape) buildPair(ctx context.Context, cfg *Config, name, bPath string) ([]byte, string, error) {
	a, err := s.open(ctx, cfg.path(name+"-a.db"), true)
	if err != nil {
		return nil, "", err
	}
	defer a.drop()
	b, err := s.open(ctx, bPath, true)
	if err != nil {
		return nil, "", err
	}
	defer b.close()
	if err := pairBoth(ctx, a.engine, b.engine); err != nil {
		return nil, "", err
	}
	if err := s.fill(a); err != nil {
		return nil, "", fmt.Errorf("fill A: %w", err)
	}
	if err := firstSync(ctx, cfg.Dir, a.engine, b.engine); err != nil {
		return nil, "", fmt.Errorf("first sync from A to B: %w", err)
	}
	if _, err := editFields(a.conn, s.target, s.aEdits); err != nil {
		return nil, "", fmt.Errorf("edits on A: %w", err)
	}
	// B's edits come after A's: a later millisecond, so B's stamps are newer.
	time.Sleep(5 * time.Millisecond)
	if _, err := editFields(b.conn, s.target, s.bEdits); err != nil {
		return nil, "", fmt.Errorf("edits on B: %w", err)
	}
	var buf bytes.Buffer
	st, err := a.engine.Export(ctx, &buf, capture.ExportOptions{Peer: b.engine.NodeID()})
	if err != nil {
		return nil, "", fmt.Errorf("the delta of A: %w", err)
	}
	if st.Fields != int64(len(s.aEdits)) || st.Rows != 0 {
		return nil, "", fmt.Errorf("the delta of A holds %d field and %d row records, want %d and 0", st.Fields, st.Rows, len(s.aEdits))
	}
	aNode := a.engine.NodeID()
	if err := saveTemplate(b); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), aNode, nil
}

// exportPeer is the device id the export case's database is paired with.
const exportPeer = "bench0peer000002"

// caseExport times Engine.Export of a delta of cfg.N single-field changes
// of the peer shape (A's edits of the merge case) to a file, against the
// same edits as plain UPDATEs.
func caseExport(ctx context.Context, cfg *Config) ([]Result, error) {
	const name = "export"
	s := peerShape(cfg.N)
	n := len(s.aEdits)
	plainT, aT := cfg.path(name+"-plain-template.db"), cfg.path(name+"-a-template.db")
	defer removeDB(plainT)
	defer removeDB(aT)
	cfg.logf("%s: building the plain database and device A (%d rows, %d edits)", name, n, n)
	if err := s.plainTemplate(ctx, plainT); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := exportTemplate(ctx, s, aT); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var bytesOut []int64
	captured := func(run int) (time.Duration, error) {
		d, err := openCopyOf(ctx, aT, cfg.path(fmt.Sprintf("%s-a-%d.db", name, run)), false, true)
		if err != nil {
			return 0, err
		}
		defer d.drop()
		out := cfg.path(fmt.Sprintf("%s-%d.changeset", name, run))
		f, err := os.Create(out)
		if err != nil {
			return 0, err
		}
		defer os.Remove(out)
		cw := &countingWriter{w: f}
		runtime.GC()
		stop := startProfile(fmt.Sprintf("%s-%d", name, run))
		start := time.Now()
		st, err := d.engine.Export(ctx, cw, capture.ExportOptions{Peer: exportPeer})
		dt := time.Since(start)
		stop()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, err
		}
		if st.Fields != int64(n) || st.Rows != 0 {
			return 0, fmt.Errorf("check: %d field and %d row records, want %d and 0", st.Fields, st.Rows, n)
		}
		if got, err := countRecords(out); err != nil || got != n {
			return 0, fmt.Errorf("check: reading the changeset back: %d records, %v", got, err)
		}
		bytesOut = append(bytesOut, cw.n)
		return dt, nil
	}
	r, err := pairs(cfg, name, n, s.plainEdits(ctx, cfg, name, plainT, nil), captured)
	if err != nil {
		return nil, err
	}
	b := bytesOut[len(bytesOut)-1]
	r.Extra = map[string]any{"bytes": b, "bytes_per_change": float64(b) / float64(n),
		"plain": fmt.Sprintf("the same %d single-field UPDATEs on a plain t", n)}
	r.Note = fmt.Sprintf("Engine.Export to a file: %d bytes (%.1f B/change); ratio = export / plain UPDATEs of the same changes", b, float64(b)/float64(n))
	return []Result{r}, nil
}

// exportTemplate makes the export case's device A: the rows, a paired
// device that has everything up to then (as after a snapshot), then the
// edits.
func exportTemplate(ctx context.Context, s mergeShape, path string) error {
	d, err := s.open(ctx, path, true)
	if err != nil {
		return err
	}
	if err := exportSetup(ctx, d, s.fill, s.aEdits); err != nil {
		d.drop()
		return err
	}
	return saveTemplate(d)
}

// exportSetup fills d, pairs exportPeer and acknowledges everything for it,
// then makes the edits.
func exportSetup(ctx context.Context, d *db, fill func(d *db) error, edits []fieldEdit) error {
	e := d.engine
	if err := e.Pair(ctx, capture.Device{ID: exportPeer, Name: "bench peer", Platform: "bench"}, []byte("bench-token")); err != nil {
		return err
	}
	if err := fill(d); err != nil {
		return fmt.Errorf("fill: %w", err)
	}
	last, err := e.LastSeq(ctx)
	if err != nil {
		return err
	}
	if err := e.Ack(ctx, exportPeer, last); err != nil {
		return err
	}
	if _, err := editFields(d.conn, peerTarget, edits); err != nil {
		return fmt.Errorf("edits: %w", err)
	}
	return nil
}

// countRecords reads a changeset file through and returns its record count.
func countRecords(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r, err := changeset.NewReader(f)
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}
