package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// profileEnv names the environment variable that turns on CPU profiles of
// the merge-side cases' timed phases: each phase writes
// $BENCH_CPUPROFILE-<phase>.pprof (for go tool pprof). Unset, nothing is
// profiled.
const profileEnv = "BENCH_CPUPROFILE"

// startProfile starts a CPU profile of the phase named name when
// BENCH_CPUPROFILE is set, and returns the function that stops it. A
// profile that cannot be written is reported on stderr and skipped.
func startProfile(name string) (stop func()) {
	prefix := os.Getenv(profileEnv)
	if prefix == "" {
		return func() {}
	}
	path := fmt.Sprintf("%s-%s.pprof", prefix, name)
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: cpu profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench: cpu profile:", err)
		f.Close()
		os.Remove(path)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
