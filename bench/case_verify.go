package main

import (
	"context"
	"fmt"
	"time"

	"github.com/capture-sync/capture/lww"
	"github.com/capture-sync/capture/triggers"
)

// caseVerify: lww.Verify on the first-sync case's desktop (cfg.N
// releases, two tracks and one tag assignment each), against its floor:
// one read of every row of the synced tables joined to its existence
// register, which any check that each row is a live entity must make.
// Verify also reads every live entity's row by its key, and the classes
// and parked values (none here).
func caseVerify(ctx context.Context, cfg *Config) ([]Result, error) {
	const name = "verify"
	n := cfg.N
	if n < 1 || cfg.Runs < 1 {
		return nil, fmt.Errorf("%s: row count and runs must be at least 1, got %d and %d", name, n, cfg.Runs)
	}
	desk, _, err := buildDiscoveryDesktop(ctx, cfg, name, n)
	if err != nil {
		return nil, err
	}
	defer desk.drop()
	var verifyMS, floorMS, ratios []float64
	var rows, entities int
	for run := 1; run <= cfg.Runs; run++ {
		start := time.Now()
		rep, err := lww.Verify(ctx, desk.engine, lww.VerifyOptions{})
		took := time.Since(start)
		if err == nil && !rep.OK() {
			err = fmt.Errorf("%d violations, the first: %v", rep.Total, rep.Violations[0])
		}
		if err != nil {
			return nil, fmt.Errorf("%s: run %d: %w", name, run, err)
		}
		floor, err := verifyFloor(desk)
		if err != nil {
			return nil, fmt.Errorf("%s: run %d: floor: %w", name, run, err)
		}
		rows, entities = rep.Rows, rep.Entities
		verifyMS, floorMS = append(verifyMS, ms(took)), append(floorMS, ms(floor))
		ratios = append(ratios, float64(took)/float64(floor))
		cfg.logf("%s: run %d/%d: verify %.2f s (%d rows, %d live entities), floor %.2f s", name, run, cfg.Runs,
			took.Seconds(), rep.Rows, rep.Entities, floor.Seconds())
	}
	ratio := median(ratios)
	v := median(verifyMS)
	return []Result{{
		Name: name, N: n, Runs: cfg.Runs, Ratio: &ratio, RatioRuns: ratios,
		PlainMS: median(floorMS), CapturedMS: v, OpsPerSec: perSecond(rows, v), CapturedUSPerOp: v * 1000 / float64(rows),
		Extra: map[string]any{"seconds": v / 1000, "rows": rows, "entities": entities},
		Note: fmt.Sprintf("%.2f s to verify %d rows and %d live entities; floor (every row joined to its existence register) %.2f s",
			v/1000, rows, entities, median(floorMS)/1000),
	}}, nil
}

// verifyFloor reads every row of the synced tables joined to its
// existence register, and returns the time it took.
func verifyFloor(d *db) (time.Duration, error) {
	start := time.Now()
	for _, t := range d.engine.Tables() {
		q := triggers.Quote(t.Name)
		sql := `SELECT count(*) FROM ` + q + ` LEFT JOIN field_timestamps f ON f.entity_type = ` + triggers.Literal(t.Name) +
			` AND f.entity_id = ` + triggers.EntityID(t, q) + ` AND f.field_name = ''`
		s, _, err := d.conn.Prepare(sql)
		if err != nil {
			return 0, err
		}
		s.Step()
		err = s.Err()
		s.Close()
		if err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}
