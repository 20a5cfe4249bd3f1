package main

import (
	"context"
	"fmt"
	"time"

	"github.com/capture-sync/capture/capture"
)

// caseAdopt: an upgraded desktop's collection from before capture, cfg.N
// releases with two tracks and one tag assignment each (one tag category,
// discoveryTags tags), bulk-loaded into a migrated database without
// triggers; then capture.Open, whose Install writes the triggers and adopts
// every row (a logged insert and an existence register each), timed
// against the plain bulk load of the same rows into the empty database in
// the same run. Then the new phone's first sync from it: the snapshot's
// size, and its export and apply times.
func caseAdopt(ctx context.Context, cfg *Config) ([]Result, error) {
	const name = "adopt"
	n := cfg.N
	if n < 1 || cfg.Runs < 1 {
		return nil, fmt.Errorf("%s: row count and runs must be at least 1, got %d and %d", name, n, cfg.Runs)
	}
	rows := releases(n)
	adoptedRows := int64(n + 2*n + n + discoveryTags + 1)
	want := map[string]int64{"discovery_releases": int64(n), "discovery_tracks": int64(2 * n),
		"discovery_release_tags": int64(n), "tags": discoveryTags, "tag_categories": 1}
	var loadMS, adoptMS, ratios, exportMS, applyMS []float64
	var bytesOut int64
	for run := 1; run <= cfg.Runs; run++ {
		path := cfg.path(fmt.Sprintf("%s-desktop-%d.db", name, run))
		plain, err := openApp(ctx, path, false)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		var load time.Duration
		for _, fill := range []func() (time.Duration, error){
			func() (time.Duration, error) { return insertTags(plain.conn) },
			func() (time.Duration, error) { return insertReleases(plain.conn, rows) },
			func() (time.Duration, error) { return insertDiscoveryTracks(plain.conn, rows) },
			func() (time.Duration, error) { return insertReleaseTags(plain.conn, rows) },
		} {
			d, err := fill()
			if err != nil {
				plain.drop()
				return nil, fmt.Errorf("%s: bulk load: %w", name, err)
			}
			load += d
		}
		if err := saveTemplate(plain); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		start := time.Now()
		desk, err := openAppEngine(ctx, path) // Install adopts every row
		adopt := time.Since(start)
		if err != nil {
			removeDB(path)
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		te, ta, size, err := adoptedFirstSync(ctx, cfg, desk, run, adoptedRows, want)
		if derr := desk.drop(); err == nil {
			err = derr
		}
		if err != nil {
			return nil, fmt.Errorf("%s: run %d: %w", name, run, err)
		}
		loadMS, adoptMS = append(loadMS, ms(load)), append(adoptMS, ms(adopt))
		ratios = append(ratios, ms(adopt)/ms(load))
		exportMS, applyMS, bytesOut = append(exportMS, ms(te)), append(applyMS, ms(ta)), size
		cfg.logf("%s: run %d/%d: bulk load %.0f ms, open with adoption %.0f ms (%.2fx); first sync %.2f s (export %.0f + apply %.0f ms), %d bytes",
			name, run, cfg.Runs, ms(load), ms(adopt), ms(adopt)/ms(load), ms(te+ta)/1000, ms(te), ms(ta), size)
	}
	ratio := median(ratios)
	adoptM := median(adoptMS)
	sync := median(exportMS) + median(applyMS)
	return []Result{{
		Name: name, N: n, Runs: cfg.Runs, Ratio: &ratio, RatioRuns: ratios,
		PlainMS: median(loadMS), CapturedMS: adoptM,
		OpsPerSec: perSecond(int(adoptedRows), adoptM), CapturedUSPerOp: adoptM * 1000 / float64(adoptedRows),
		Extra: map[string]any{"adopted_rows": adoptedRows, "install_ms": adoptM, "bulk_load_ms": median(loadMS),
			"snapshot_bytes": bytesOut, "export_ms": median(exportMS), "apply_ms": median(applyMS), "first_sync_seconds": sync / 1000},
		Note: fmt.Sprintf("open + adopt %d rows %.0f ms against their plain bulk load %.0f ms; first sync %.2f s (export %.0f + apply %.0f ms), snapshot %.1f MB",
			adoptedRows, adoptM, median(loadMS), sync/1000, median(exportMS), median(applyMS), float64(bytesOut)/1e6),
	}}, nil
}

// adoptedFirstSync checks that desk adopted every row, then pairs a new
// phone and times the snapshot's export and apply, and checks what arrived.
func adoptedFirstSync(ctx context.Context, cfg *Config, desk *db, run int, adopted int64, want map[string]int64) (te, ta time.Duration, size int64, err error) {
	if err := expectCount(desk, "adopted registers", adopted,
		`SELECT count(*) FROM field_timestamps WHERE field_name = '' AND hlc < ? AND origin = ?`, int64(capture.AdoptedBelow), capture.AdoptedOrigin); err != nil {
		return 0, 0, 0, err
	}
	phone, err := openPhone(ctx, cfg.path(fmt.Sprintf("adopt-phone-%d.db", run)))
	if err != nil {
		return 0, 0, 0, err
	}
	defer phone.drop()
	res, st, te, ta, size, err := firstSyncRun(ctx, cfg, desk, phone, run)
	if err != nil {
		return te, ta, size, err
	}
	if res.Lost != 0 || res.Parked != 0 || res.Won != res.Records || int64(res.Records) != st.Fields+st.Rows {
		return te, ta, size, fmt.Errorf("%d records exported, %d read, %d won, %d lost, %d parked", st.Fields+st.Rows, res.Records, res.Won, res.Lost, res.Parked)
	}
	return te, ta, size, checkPhone(phone, "phone", want)
}
