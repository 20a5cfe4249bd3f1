package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// TestMain lets the test binary stand in for the runner in child
// processes (the memory case's phases): with BENCH_TEST_CHILD set it runs
// the runner on its arguments instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("BENCH_TEST_CHILD") == "1" {
		if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestCasesRun runs every case at a very small size and checks that each
// produces sane figures. It asserts nothing about timing.
func TestCasesRun(t *testing.T) {
	ctx := context.Background()
	// Cases without a plain side, and without a ratio.
	noPlain := map[string]bool{"storage": true, "memory": true, "lan-round": true}
	noRatio := map[string]bool{"memory": true, "lan-round": true}
	for _, c := range allCases {
		t.Run(c.name, func(t *testing.T) {
			cfg := &Config{N: 500, Runs: 1, Sizes: []int{200, 500}, Dir: t.TempDir()}
			rs, err := c.run(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) == 0 {
				t.Fatal("no result")
			}
			if c.name == "growth" && len(rs) != len(cfg.Sizes) {
				t.Errorf("growth: %d results for %d sizes", len(rs), len(cfg.Sizes))
			}
			for _, r := range rs {
				if noRatio[c.name] {
					if r.Ratio != nil {
						t.Errorf("%s: ratio %v, want none", r.Name, *r.Ratio)
					}
				} else if r.Ratio == nil || !(*r.Ratio > 0) {
					t.Errorf("%s: ratio %v, want > 0", r.Name, r.Ratio)
				}
				if !(r.OpsPerSec > 0) || !(r.CapturedMS > 0) {
					t.Errorf("%s: ops/s %v, captured ms %v, want > 0", r.Name, r.OpsPerSec, r.CapturedMS)
				}
				if !noPlain[c.name] && !(r.PlainMS > 0) {
					t.Errorf("%s: plain ms %v, want > 0", r.Name, r.PlainMS)
				}
				if r.N <= 0 || r.Runs != 1 {
					t.Errorf("%s: n %d runs %d", r.Name, r.N, r.Runs)
				}
			}
		})
	}
}

// TestMergeCounts: the merge cases (and the bound of merge) apply one change per edit, three in four
// of which win (one in four lost to the later edit on B).
func TestMergeCounts(t *testing.T) {
	for _, c := range []func(context.Context, *Config) ([]Result, error){caseMerge, caseMergeApp, caseFloorMerge} {
		rs, err := c(context.Background(), &Config{N: 400, Runs: 1, Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		x := rs[0].Extra
		if x["won"] != 300 || x["lost"] != 100 {
			t.Errorf("%s: won %v, lost %v; want 300 and 100", rs[0].Name, x["won"], x["lost"])
		}
		if rs[0].Name == "merge" && !(x["ratio_vs_seq_update"].(float64) > 0) {
			t.Errorf("merge: ratio against the sequential update %v", x["ratio_vs_seq_update"])
		}
	}
}

// TestFirstSyncCounts: the phone gets every row (the case checks the
// tables), and the snapshot holds a record per row and per edited field.
func TestFirstSyncCounts(t *testing.T) {
	rs, err := caseFirstSync(context.Background(), &Config{N: 200, Runs: 2, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// 200 releases, 400 tracks, 200 tag assignments, 50 tags, 1 category
	// (and whatever rows the desktop profile starts with).
	if got := rs[0].Extra["records"].(int); got < 851 {
		t.Errorf("records %d, want at least 851", got)
	}
	if rs[0].Runs != 2 {
		t.Errorf("runs %d", rs[0].Runs)
	}
}

// TestMemoryPhasesInChildren runs the memory case as the runner does, each
// phase in a child process (this test binary, through TestMain), and checks
// that each figure is its phase's own.
func TestMemoryPhasesInChildren(t *testing.T) {
	if _, ok := peakRSSMB(); !ok {
		t.Skip("no /proc/self/status")
	}
	t.Setenv("BENCH_TEST_CHILD", "1")
	rs, err := caseMemory(context.Background(), &Config{N: 300, Runs: 1, Dir: t.TempDir(), Spawn: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Name != "memory-export" || rs[1].Name != "memory-apply" {
		t.Fatalf("results %+v", rs)
	}
	for _, r := range rs {
		if r.PeakRSSMB == nil || !(*r.PeakRSSMB > 0) || r.RSSScope != "phase" {
			t.Errorf("%s: peak RSS %v, scope %q", r.Name, r.PeakRSSMB, r.RSSScope)
		}
	}
	if rs[1].Extra["won"] != float64(300) { // through the child's JSON
		t.Errorf("apply won %v", rs[1].Extra["won"])
	}
}

// TestStorageBreakdown: the storage case's metadata is the registers (two
// per release: existence and notes) plus the one change kept after pruning.
func TestStorageBreakdown(t *testing.T) {
	cfg := &Config{N: 300, Runs: 1, Dir: t.TempDir()}
	rs, err := caseStorage(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	x := rs[0].Extra
	if got := x["field_timestamps_rows"]; got != int64(600) {
		t.Errorf("field_timestamps rows %v, want 600", got)
	}
	if got := x["local_changes_rows"]; got != int64(1) {
		t.Errorf("local_changes rows after prune %v, want 1", got)
	}
	if got := x["data_rows"]; got != int64(300) {
		t.Errorf("data rows %v, want 300", got)
	}
}

// TestPeerValues: the generated values follow run.sh's patterns (checked
// against Node's output for the same expressions).
func TestPeerValues(t *testing.T) {
	rows := peerRows(100_000)
	if rows[0].a != "a-initial-1-17wdrqp" || rows[99_999].a != "a-initial-100000-sbgn8g" {
		t.Errorf("a: %q, %q", rows[0].a, rows[99_999].a)
	}
	if rows[0].b != "b-value-1-lorem-ipsum" || rows[0].c != 7 || rows[0].d != 1.25 || rows[0].e != "e-some-longer-text-value-1-dolor-sit-amet" {
		t.Errorf("row 1: %+v", rows[0])
	}
	up := peerUpdates(100_000, 2)
	if up[0] != "a-updated-r2-1-v93" || up[99_999] != "a-updated-r2-100000-1uzfzhc" {
		t.Errorf("updates: %q, %q", up[0], up[99_999])
	}
}

// TestReleaseIDsUnique: release ids and urls are unique (both are keys).
func TestReleaseIDsUnique(t *testing.T) {
	ids, urls := map[string]bool{}, map[string]bool{}
	for _, r := range releases(20_000) {
		if ids[r.id] || urls[r.url] {
			t.Fatalf("duplicate id or url: %q %q", r.id, r.url)
		}
		ids[r.id], urls[r.url] = true, true
		if len(r.id) != 36 {
			t.Fatalf("id %q is not UUID-shaped", r.id)
		}
	}
}

// TestBadInput: bad flags and case names are errors, not panics.
func TestBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"-cases", "nope"},
		{"-runs", "0"},
		{"-n", "-5"},
		{"-sizes", "10,x", "-cases", "growth"},
		{"-sizes", ",", "-cases", "growth"},
		{"extra"},
		{"-child", "-cases", "update,insert"},
	} {
		if err := run(args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	if _, err := pairs(&Config{Runs: 1}, "x", 0, nil, nil); err == nil {
		t.Error("pairs with n=0: no error")
	}
}

// TestMedian checks odd and even counts.
func TestMedian(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median of 3: %v", m)
	}
	if m := median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Errorf("median of 4: %v", m)
	}
	if m := median(nil); m != 0 {
		t.Errorf("median of none: %v", m)
	}
}

// TestRunnerInProcess runs the whole runner in this process on one small
// case and checks the table and the JSON lines.
func TestRunnerInProcess(t *testing.T) {
	var out strings.Builder
	if err := run([]string{"-inprocess", "-quiet", "-cases", "update", "-n", "300", "-runs", "1", "-dir", t.TempDir()}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "update") || !strings.Contains(out.String(), "ratio") {
		t.Errorf("table:\n%s", out.String())
	}
	out.Reset()
	if err := run([]string{"-inprocess", "-quiet", "-json", "-cases", "insert", "-n", "300", "-runs", "1", "-dir", t.TempDir()}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"name":"insert"`) || !strings.Contains(lines[0], `"ratio":`) || !strings.Contains(lines[0], `"ops_per_sec":`) {
		t.Errorf("json: %q", out.String())
	}
}
