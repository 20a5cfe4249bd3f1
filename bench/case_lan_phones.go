package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// caseLANPhones: five phones sync 1,000 changes each at once with one
// desktop over loopback TLS, against one phone that syncs 5,000: the ratio
// of the two times, in the same run. Rounds with several phones export at
// once and apply one at a time.
func caseLANPhones(ctx context.Context, cfg *Config) ([]Result, error) {
	const name, phones, each = "lan-phones", 5, 1000
	if cfg.Runs < 1 {
		return nil, fmt.Errorf("%s: runs must be at least 1, got %d", name, cfg.Runs)
	}
	var manyMS, oneMS, ratios []float64
	var relayed int64
	for run := 1; run <= cfg.Runs; run++ {
		one, _, err := lanPhonesRun(ctx, cfg, fmt.Sprintf("%s-one-%d", name, run), 1, phones*each)
		if err != nil {
			return nil, fmt.Errorf("%s: run %d: one phone: %w", name, run, err)
		}
		many, back, err := lanPhonesRun(ctx, cfg, fmt.Sprintf("%s-many-%d", name, run), phones, each)
		if err != nil {
			return nil, fmt.Errorf("%s: run %d: %d phones: %w", name, run, phones, err)
		}
		manyMS, oneMS = append(manyMS, ms(many)), append(oneMS, ms(one))
		ratios = append(ratios, ms(many)/ms(one))
		relayed = back
		cfg.logf("%s: run %d/%d: %d phones with %d changes each at once %.0f ms (%d records relayed back to them); one phone with %d %.0f ms",
			name, run, cfg.Runs, phones, each, ms(many), back, phones*each, ms(one))
	}
	ratio := median(ratios)
	return []Result{{
		Name: name, N: phones * each, Runs: cfg.Runs, Ratio: &ratio, RatioRuns: ratios,
		PlainMS: median(oneMS), CapturedMS: median(manyMS), OpsPerSec: perSecond(phones*each, median(manyMS)),
		Extra: map[string]any{"phones": phones, "changes_each": each, "phones_ms": median(manyMS), "one_phone_ms": median(oneMS),
			"records_relayed": relayed},
		Note: fmt.Sprintf("ratio: %d phones syncing %d changes each at once / one phone syncing %d, over loopback TLS; the phones also received %d records of each other's in the last run",
			phones, each, phones*each, relayed),
	}}, nil
}

// lanPhonesRun pairs n new phones with a new desktop, has each insert
// changes releases, and times their rounds, run at once. It checks that
// the desktop holds every phone's releases afterwards, and returns how
// many records the phones received: those of the phones whose rounds the
// desktop applied before it exported theirs.
func lanPhonesRun(ctx context.Context, cfg *Config, prefix string, n, changes int) (took time.Duration, back int64, err error) {
	desk, err := openApp(ctx, cfg.path(prefix+"-desktop.db"), true)
	if err != nil {
		return 0, 0, err
	}
	defer desk.drop()
	ld, err := serveLoopback(ctx, desk.engine)
	if err != nil {
		return 0, 0, err
	}
	defer ld.stop()
	list := make([]*db, n)
	for i := range list {
		if list[i], err = openPhone(ctx, cfg.path(fmt.Sprintf("%s-phone%d.db", prefix, i))); err != nil {
			return 0, 0, err
		}
		defer list[i].drop()
		if err := ld.pair(ctx, list[i].engine); err != nil {
			return 0, 0, err
		}
		if _, _, err := ld.round(ctx, list[i].engine); err != nil {
			return 0, 0, err
		}
		if err := list[i].conn.Exec(phoneInserts(fmt.Sprintf("p%d-", i), changes)); err != nil {
			return 0, 0, err
		}
	}
	errs, received := make([]error, n), make([]int64, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i, p := range list {
		wg.Go(func() {
			r, _, err := ld.round(ctx, p.engine)
			if err == nil && r.Sent.Rows < int64(changes) {
				err = fmt.Errorf("phone %d sent %d rows, want %d", i, r.Sent.Rows, changes)
			}
			errs[i], received[i] = err, int64(r.Received.Records)
		})
	}
	wg.Wait()
	took = time.Since(start)
	for i, err := range errs {
		if err != nil {
			return 0, 0, err
		}
		back += received[i]
	}
	got, err := queryInt(desk.conn, `SELECT count(*) FROM discovery_releases`)
	if err != nil {
		return 0, 0, err
	}
	if got != int64(n*changes) {
		return 0, 0, fmt.Errorf("the desktop holds %d releases, want %d", got, n*changes)
	}
	return took, back, nil
}

// phoneInserts inserts n releases in one transaction.
func phoneInserts(prefix string, n int) string {
	var b strings.Builder
	b.WriteString("BEGIN;")
	for i := range n {
		fmt.Fprintf(&b, "INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('%[1]s%[2]d', 'https://x/%[1]s%[2]d', 'T%[2]d', 'd', 'd');", prefix, i)
	}
	b.WriteString("COMMIT;")
	return b.String()
}
