package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/lww"
	"github.com/capture-sync/capture/schema"
)

// caseFirstSync: a phone paired with a desktop that already holds cfg.N
// discovery releases, two tracks and one tag assignment each (one tag
// category, discoveryTags tags): the desktop's snapshot Export to a file,
// then lww.Apply of the file on the empty phone database (schema.Mobile),
// timed end to end. The desktop is built once; each run starts from a new,
// empty phone. Its ratio is that time over the plain bulk load of the
// same rows into an empty phone database without triggers, in the same
// run.
func caseFirstSync(ctx context.Context, cfg *Config) ([]Result, error) {
	const name = "first-sync"
	n := cfg.N
	if n < 1 || cfg.Runs < 1 {
		return nil, fmt.Errorf("%s: row count and runs must be at least 1, got %d and %d", name, n, cfg.Runs)
	}
	desk, want, err := buildDiscoveryDesktop(ctx, cfg, name, n)
	if err != nil {
		return nil, err
	}
	defer desk.drop()

	rows := releases(n)
	var totalMS, exportMS, applyMS, streamedMS, loadMS, ratios []float64
	var records int
	var bytesOut int64
	for run := 1; run <= cfg.Runs; run++ {
		phonePath := cfg.path(fmt.Sprintf("%s-phone-%d.db", name, run))
		phone, err := openPhone(ctx, phonePath)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		res, st, te, ta, size, err := firstSyncRun(ctx, cfg, desk, phone, run)
		if err == nil {
			err = checkPhone(phone, "phone", want)
		}
		if err == nil && (res.Lost != 0 || res.Parked != 0 || res.Won != res.Records || int64(res.Records) != st.Fields+st.Rows) {
			err = fmt.Errorf("%d records exported, %d read, %d won, %d lost, %d parked", st.Fields+st.Rows, res.Records, res.Won, res.Lost, res.Parked)
		}
		if derr := phone.drop(); err == nil {
			err = derr
		}
		if err != nil {
			return nil, fmt.Errorf("%s: run %d: %w", name, run, err)
		}
		sres, tsd, err := streamedRun(ctx, cfg, desk, run, want)
		if err != nil {
			return nil, fmt.Errorf("%s: run %d: %w", name, run, err)
		}
		if sres.Records != res.Records {
			return nil, fmt.Errorf("%s: run %d: streamed %d records, from the file %d", name, run, sres.Records, res.Records)
		}
		load, err := plainPhoneLoad(ctx, cfg, rows, run, want)
		if err != nil {
			return nil, fmt.Errorf("%s: run %d: %w", name, run, err)
		}
		loadMS = append(loadMS, ms(load))
		ratios = append(ratios, float64(te+ta)/float64(load))
		streamedMS = append(streamedMS, ms(tsd))
		totalMS = append(totalMS, ms(te+ta))
		exportMS, applyMS = append(exportMS, ms(te)), append(applyMS, ms(ta))
		records, bytesOut = res.Records, size
		cfg.logf("%s: run %d/%d: %.2f s (export %.0f ms, apply %.0f ms), %d records; streamed %.2f s; plain bulk load %.2f s", name, run, cfg.Runs,
			ms(te+ta)/1000, ms(te), ms(ta), res.Records, ms(tsd)/1000, ms(load)/1000)
	}
	total := median(totalMS)
	ratio := median(ratios)
	r := Result{
		Name:            name,
		N:               n,
		Runs:            cfg.Runs,
		Ratio:           &ratio,
		RatioRuns:       ratios,
		PlainMS:         median(loadMS),
		CapturedMS:      total,
		OpsPerSec:       perSecond(records, total),
		CapturedUSPerOp: total * 1000 / float64(records),
		Extra: map[string]any{"seconds": total / 1000, "seconds_runs": secs(totalMS), "export_ms": median(exportMS), "apply_ms": median(applyMS),
			"streamed_seconds": median(streamedMS) / 1000, "streamed_seconds_runs": secs(streamedMS),
			"records": records, "bytes": bytesOut,
			"data": fmt.Sprintf("%d releases, %d tracks, %d release tags, %d tags, 1 category", n, 2*n, n, discoveryTags)},
		Note: fmt.Sprintf("%.2f s end to end (export %.0f ms + apply %.0f ms, one after the other), %.2f s streamed (export piped into apply); plain bulk load %.2f s; %d records (ops/s and µs/op are per record, one after the other)",
			total/1000, median(exportMS), median(applyMS), median(streamedMS)/1000, median(loadMS)/1000, records),
	}
	return []Result{r}, nil
}

// buildDiscoveryDesktop builds the desktop database of the first-sync
// cases (n releases, two tracks and one tag assignment each), and returns
// it with the row counts a phone must end with.
func buildDiscoveryDesktop(ctx context.Context, cfg *Config, name string, n int) (*db, map[string]int64, error) {
	rows := releases(n)
	cfg.logf("%s: building the desktop database (%d releases, %d tracks, %d tag assignments)", name, n, 2*n, n)
	start := time.Now()
	desk, err := openApp(ctx, cfg.path(name+"-desktop.db"), true)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	steps := []struct {
		what string
		fill func() (time.Duration, error)
	}{
		{"tags", func() (time.Duration, error) { return insertTags(desk.conn) }},
		{"releases", func() (time.Duration, error) { return insertReleases(desk.conn, rows) }},
		{"tracks", func() (time.Duration, error) { return insertDiscoveryTracks(desk.conn, rows) }},
		{"tag assignments", func() (time.Duration, error) { return insertReleaseTags(desk.conn, rows) }},
	}
	for _, s := range steps {
		if _, err := s.fill(); err != nil {
			desk.drop()
			return nil, nil, fmt.Errorf("%s: desktop %s: %w", name, s.what, err)
		}
	}
	if err := desk.conn.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		desk.drop()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	cfg.logf("%s: desktop built in %.1f s", name, time.Since(start).Seconds())
	want := map[string]int64{"discovery_releases": int64(n), "discovery_tracks": int64(2 * n),
		"discovery_release_tags": int64(n), "tags": discoveryTags, "tag_categories": 1}
	return desk, want, nil
}

// plainPhoneLoad times the plain bulk load of the first sync's rows into
// an empty phone database: the phone's tables and indexes
// (schema.Migrate), no triggers, the app's inserts, 1000 a transaction.
func plainPhoneLoad(ctx context.Context, cfg *Config, rows []release, run int, want map[string]int64) (time.Duration, error) {
	path := cfg.path(fmt.Sprintf("first-sync-plain-%d.db", run))
	conn, err := openFile(path)
	if err != nil {
		return 0, err
	}
	plain := &db{path: path, conn: conn}
	defer plain.drop()
	if _, err := schema.Migrate(ctx, conn, schema.Mobile); err != nil {
		return 0, fmt.Errorf("plain phone: %w", err)
	}
	var load time.Duration
	for _, fill := range []func() (time.Duration, error){
		func() (time.Duration, error) { return insertTags(conn) },
		func() (time.Duration, error) { return insertReleases(conn, rows) },
		func() (time.Duration, error) { return insertDiscoveryTracks(conn, rows) },
		func() (time.Duration, error) { return insertReleaseTags(conn, rows) },
	} {
		d, err := fill()
		if err != nil {
			return 0, fmt.Errorf("plain bulk load: %w", err)
		}
		load += d
	}
	return load, checkPhone(plain, "plain phone", want)
}

// openPhone creates an empty phone database (schema.Mobile) at path with
// the workload's settings.
func openPhone(ctx context.Context, path string) (*db, error) {
	pe, err := capture.Open(ctx, path, capture.Options{Profile: schema.Mobile})
	if err != nil {
		return nil, fmt.Errorf("open phone: %w", err)
	}
	phone := &db{path: path, conn: pe.Conn(), engine: pe, ownedByEngine: true}
	if err := setPragmas(phone.conn); err != nil {
		phone.drop()
		return nil, err
	}
	return phone, nil
}

// checkPhone checks the row count of each table in want.
func checkPhone(phone *db, what string, want map[string]int64) error {
	for table, w := range want {
		if err := expectCount(phone, what+"'s "+table, w, `SELECT count(*) FROM `+table); err != nil {
			return err
		}
	}
	return nil
}

// streamedRun opens a new empty phone, times firstSyncStreamed into it and
// checks what arrived.
func streamedRun(ctx context.Context, cfg *Config, desk *db, run int, want map[string]int64) (lww.Result, time.Duration, error) {
	path := cfg.path(fmt.Sprintf("first-sync-phone-streamed-%d.db", run))
	phone, err := openPhone(ctx, path)
	if err != nil {
		return lww.Result{}, 0, err
	}
	defer phone.drop()
	res, took, err := firstSyncStreamed(ctx, desk, phone)
	if err != nil {
		return res, took, err
	}
	if err := checkPhone(phone, "streamed phone", want); err != nil {
		return res, took, err
	}
	if res.Lost != 0 || res.Parked != 0 || res.Won != res.Records {
		return res, took, fmt.Errorf("streamed: %d read, %d won, %d lost, %d parked", res.Records, res.Won, res.Lost, res.Parked)
	}
	return res, took, nil
}

// firstSyncRun pairs the phone and the desktop, then times the snapshot's
// export to a file and its apply on the phone.
func firstSyncRun(ctx context.Context, cfg *Config, desk, phone *db, run int) (res lww.Result, st capture.ExportStats, te, ta time.Duration, size int64, err error) {
	if err = pairBoth(ctx, desk.engine, phone.engine); err != nil {
		return
	}
	path := cfg.path(fmt.Sprintf("first-sync-%d.changeset", run))
	defer os.Remove(path)
	f, err := os.Create(path)
	if err != nil {
		return
	}
	cw := &countingWriter{w: f}
	runtime.GC()
	stop := startProfile(fmt.Sprintf("first-sync-%d", run))
	defer stop()
	start := time.Now()
	st, err = desk.engine.Export(ctx, cw, capture.ExportOptions{Peer: phone.engine.NodeID(), Snapshot: true})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	te = time.Since(start)
	if err != nil {
		err = fmt.Errorf("export: %w", err)
		return
	}
	rf, err := os.Open(path)
	if err != nil {
		return
	}
	defer rf.Close()
	start = time.Now()
	res, err = lww.Apply(ctx, phone.engine, rf, lww.Options{})
	ta = time.Since(start)
	if err != nil {
		err = fmt.Errorf("apply: %w", err)
	}
	return res, st, te, ta, cw.n, err
}

// firstSyncStreamed pairs a new phone with the desktop and times the
// snapshot's export streamed through a pipe into its apply, the two
// running at once as they do over the network (each device on its own
// CPU there; here they share the machine's two cores).
func firstSyncStreamed(ctx context.Context, desk, phone *db) (res lww.Result, took time.Duration, err error) {
	if err = pairBoth(ctx, desk.engine, phone.engine); err != nil {
		return
	}
	pr, pw := io.Pipe()
	exported := make(chan error, 1)
	runtime.GC()
	start := time.Now()
	go func() {
		bw := bufio.NewWriterSize(pw, 256<<10)
		_, err := desk.engine.Export(ctx, bw, capture.ExportOptions{Peer: phone.engine.NodeID(), Snapshot: true})
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
		exported <- err
	}()
	res, err = lww.Apply(ctx, phone.engine, bufio.NewReaderSize(pr, 256<<10), lww.Options{})
	pr.CloseWithError(io.ErrClosedPipe) // unblocks the export if the apply stopped early
	took = time.Since(start)
	if xerr := <-exported; xerr != nil && err == nil {
		err = fmt.Errorf("export: %w", xerr)
	}
	if err != nil {
		err = fmt.Errorf("streamed: %w", err)
	}
	return res, took, err
}

// secs converts milliseconds to seconds.
func secs(msList []float64) []float64 {
	out := make([]float64, len(msList))
	for i, v := range msList {
		out[i] = v / 1000
	}
	return out
}
