package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// txSize is the number of statements per transaction in every timed loop,
// as in the cr-sqlite peer benchmark.
const txSize = 1000

// Config is what a case runs with.
type Config struct {
	// N is the row count of the case (growth uses Sizes instead).
	N int
	// Runs is how many interleaved plain/captured run pairs to time; the
	// median is reported.
	Runs int
	// Sizes are the row counts the growth case measures at.
	Sizes []int
	// Dir is the directory the case creates its database files in.
	Dir string
	// Log receives progress lines (never the results).
	Log io.Writer
	// Phase is the one phase of a multi-process case (memory) that this
	// process runs; "" runs the whole case.
	Phase string
	// Spawn lets a multi-process case run its phases in child processes
	// of their own (set in the runner's child processes); without it they
	// run in this process.
	Spawn bool
}

// sizes are the row counts of a run.
type sizes struct {
	// n is every case's but those below; alter, memory and firstSync are
	// those cases'; growth the growth case's sizes.
	n, alter, memory, firstSync int
	growth                      []int
}

// defaults returns the row counts of a full run, or of a -quick one.
func defaults(quick bool) sizes {
	if quick {
		return sizes{n: 10_000, alter: 100_000, memory: 100_000, firstSync: 10_000, growth: []int{10_000, 50_000}}
	}
	return sizes{n: 100_000, alter: 1_000_000, memory: 1_000_000, firstSync: 100_000, growth: []int{10_000, 100_000, 1_000_000}}
}

// logf writes one progress line, with the time of day, to c.Log.
func (c *Config) logf(format string, args ...any) {
	if c.Log == nil {
		return
	}
	_, _ = io.WriteString(c.Log, time.Now().Format("15:04:05 ")+fmt.Sprintf(format, args...)+"\n")
}

// path returns the path of a database file named name in c.Dir.
func (c *Config) path(name string) string { return filepath.Join(c.Dir, name) }

// removeDB deletes a database file and its WAL and shared-memory files.
func removeDB(path string) error {
	var first error
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) && first == nil {
			first = err
		}
	}
	return first
}
