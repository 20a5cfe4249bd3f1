package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// peakRSSMB returns the process's peak resident set size (VmHWM in
// /proc/self/status) in MiB, and false where that file is not available
// (not Linux) or has no VmHWM line. The peak cannot be reset, so the runner
// measures each case in its own child process.
func peakRSSMB() (float64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "VmHWM:") {
			continue
		}
		fields := strings.Fields(strings.TrimPrefix(line, "VmHWM:"))
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, false
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, false
		}
		return float64(kb) / 1024, true
	}
	return 0, false
}

// withRSS sets the peak RSS of each result that has none yet (a phase of
// the memory case has its own) to the process's current peak, under scope
// ("case" or "process").
func withRSS(rs []Result, scope string) {
	mb, ok := peakRSSMB()
	if !ok {
		return
	}
	for i := range rs {
		if rs[i].PeakRSSMB != nil {
			continue
		}
		rs[i].PeakRSSMB = ptr(mb)
		rs[i].RSSScope = scope
	}
}

// rssString renders a peak RSS for the table.
func rssString(r Result) string {
	if r.PeakRSSMB == nil {
		return "-"
	}
	s := fmt.Sprintf("%.0f", *r.PeakRSSMB)
	if r.RSSScope == "process" {
		s += "*"
	}
	return s
}
