package main

import (
	"fmt"
	"time"
)

// timedSide runs one side (plain or captured) of run number run: its own
// untimed setup and teardown, and returns the time of the timed phase only.
type timedSide func(run int) (time.Duration, error)

// pairs times plain and captured cfg.Runs times each, interleaved (plain
// first in odd runs, captured first in even runs) so that machine noise and
// drift hit both, and returns the medians and the median per-run ratio. n
// is the number of operations a timed phase performs.
func pairs(cfg *Config, name string, n int, plain, captured timedSide) (Result, error) {
	if cfg.Runs < 1 {
		return Result{}, fmt.Errorf("%s: runs must be at least 1, got %d", name, cfg.Runs)
	}
	if n < 1 {
		return Result{}, fmt.Errorf("%s: row count must be at least 1, got %d", name, n)
	}
	var plainMS, capMS, ratios []float64
	for run := 1; run <= cfg.Runs; run++ {
		order := []string{"plain", "captured"}
		if run%2 == 0 {
			order = []string{"captured", "plain"}
		}
		var p, c time.Duration
		for _, which := range order {
			var err error
			if which == "plain" {
				p, err = plain(run)
			} else {
				c, err = captured(run)
			}
			if err != nil {
				return Result{}, fmt.Errorf("%s: run %d, %s: %w", name, run, which, err)
			}
		}
		if p <= 0 {
			return Result{}, fmt.Errorf("%s: run %d: plain side took no measurable time", name, run)
		}
		plainMS, capMS = append(plainMS, ms(p)), append(capMS, ms(c))
		ratios = append(ratios, float64(c)/float64(p))
		cfg.logf("%s: run %d/%d: plain %.1f ms, captured %.1f ms, ratio %.2f", name, run, cfg.Runs, ms(p), ms(c), ratios[len(ratios)-1])
	}
	r := Result{
		Name:       name,
		N:          n,
		Runs:       cfg.Runs,
		Ratio:      ptr(median(ratios)),
		RatioRuns:  ratios,
		PlainMS:    median(plainMS),
		CapturedMS: median(capMS),
	}
	r.OpsPerSec, r.PlainOpsPerSec = perSecond(n, r.CapturedMS), perSecond(n, r.PlainMS)
	r.CapturedUSPerOp = r.CapturedMS * 1000 / float64(n)
	return r, nil
}
