package main

import (
	"slices"
	"time"
)

// Result is what one case (or one size of the growth case) measured. It is
// printed as a table row, or with -json as one JSON object per line.
type Result struct {
	// Name is the case, with the size for growth ("growth-100000").
	Name string `json:"name"`
	// N is the number of rows (operations) timed per run.
	N int `json:"n"`
	// Runs is the number of timed plain/captured run pairs.
	Runs int `json:"runs"`
	// Ratio is the median over runs of captured time / plain time; for
	// storage, sync-metadata bytes per synced-data byte. Nil where the
	// case has none.
	Ratio *float64 `json:"ratio,omitempty"`
	// RatioRuns are the per-run ratios the median is taken from.
	RatioRuns []float64 `json:"ratio_runs,omitempty"`
	// PlainMS and CapturedMS are the median times of the timed phase.
	PlainMS    float64 `json:"plain_ms,omitempty"`
	CapturedMS float64 `json:"captured_ms,omitempty"`
	// OpsPerSec is the captured side's throughput: N / CapturedMS.
	OpsPerSec float64 `json:"ops_per_sec"`
	// PlainOpsPerSec is the plain side's throughput.
	PlainOpsPerSec float64 `json:"plain_ops_per_sec,omitempty"`
	// CapturedUSPerOp is the captured side's time per operation, in µs.
	CapturedUSPerOp float64 `json:"captured_us_per_op,omitempty"`
	// PeakRSSMB is the peak resident set (VmHWM) of the process that ran
	// the case, in MiB; nil where /proc/self/status is not available.
	PeakRSSMB *float64 `json:"peak_rss_mb,omitempty"`
	// RSSScope says whose peak PeakRSSMB is: "case" (a child process ran
	// only this case) or "process" (the whole run so far).
	RSSScope string `json:"rss_scope,omitempty"`
	// Extra holds case-specific figures (alter and install times, storage
	// byte counts, the storage method).
	Extra map[string]any `json:"extra,omitempty"`
	// Note is a short human-readable remark shown in the table.
	Note string `json:"note,omitempty"`
}

// ms returns d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// median returns the median of xs (the mean of the middle two for an even
// count), or 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// perSecond returns how many of n operations taking msTotal milliseconds in
// all run per second, or 0 when no time was measured.
func perSecond(n int, msTotal float64) float64 {
	if msTotal <= 0 {
		return 0
	}
	return float64(n) / (msTotal / 1000)
}

// ptr returns a pointer to v.
func ptr(v float64) *float64 { return &v }
