// Command bench measures what capture costs: each case times the same
// workload on a plain SQLite database and on one whose table is captured by
// the engine's triggers, interleaved in one process and one run, and reports
// captured/plain ratios (plus growth, ALTER and storage figures).
//
//	go run ./bench                      # every case, 3 runs, full sizes
//	go run ./bench -quick               # scaled down, well under a minute
//	go run ./bench -cases update,insert -runs 5 -json
//
// See bench/README.md for what each case measures.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
)

// options are the runner's command-line flags.
type options struct {
	json, quick, markdown, quiet bool
	runs, n                      int
	cases, sizes, dir            string
	child, inProcess, list       bool
	phase                        string
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.json, "json", false, "print one JSON object per case (per size for growth) per line instead of the table")
	fs.BoolVar(&o.quick, "quick", false, "scaled-down run (10,000 rows; growth at 10,000 and 50,000; alter and memory at 100,000; first-sync at 10,000)")
	fs.BoolVar(&o.markdown, "markdown", false, "print the table as Markdown")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress lines on stderr")
	fs.IntVar(&o.runs, "runs", 3, "interleaved plain/captured run pairs per case; the median ratio is reported")
	fs.IntVar(&o.n, "n", 0, "row count of every case except growth (0: 100,000, alter and memory 1,000,000; -quick: 10,000, alter and memory 100,000, first-sync 10,000)")
	fs.StringVar(&o.cases, "cases", "", "comma-separated cases to run (default all; see -list)")
	fs.StringVar(&o.sizes, "sizes", "", "comma-separated row counts of the growth case (default 10000,100000,1000000; -quick: 10000,50000)")
	fs.StringVar(&o.dir, "dir", "", "directory for the temporary database directory (default the system temp dir)")
	fs.BoolVar(&o.inProcess, "inprocess", false, "run every case in this process (peak RSS is then the process's, marked *) instead of one child process per case")
	fs.BoolVar(&o.list, "list", false, "list the cases and exit")
	fs.BoolVar(&o.child, "child", false, "internal: run the one case of -cases in -dir and print its results as JSON")
	fs.StringVar(&o.phase, "phase", "", "internal, with -child: run only this phase of a multi-process case (memory)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.runs < 1 {
		return o, fmt.Errorf("-runs must be at least 1, got %d", o.runs)
	}
	if o.n < 0 {
		return o, fmt.Errorf("-n must not be negative, got %d", o.n)
	}
	return o, nil
}

// parseSizes reads a comma-separated list of positive row counts.
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(strings.ReplaceAll(f, "_", ""))
		if f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("-sizes: %q is not a positive row count", f)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-sizes: no row count in %q", s)
	}
	return out, nil
}

// run is the runner: it parses args, runs the selected cases and prints the
// results to stdout, progress to stderr.
func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.list {
		for _, c := range allCases {
			fmt.Fprintf(stdout, "%-11s %s\n", c.name, c.about)
		}
		return nil
	}
	cases, err := selectCases(o.cases)
	if err != nil {
		return err
	}
	sz := defaults(o.quick)
	if o.n > 0 {
		sz.n, sz.alter, sz.memory, sz.firstSync = o.n, o.n, o.n, o.n
	}
	if o.sizes != "" {
		if sz.growth, err = parseSizes(o.sizes); err != nil {
			return err
		}
	}
	sizes := sz.growth
	var log io.Writer = stderr
	if o.quiet {
		log = nil
	}
	cfgFor := func(c benchCase, dir string) *Config {
		cfg := &Config{N: sz.n, Runs: o.runs, Sizes: sizes, Dir: dir, Log: log, Phase: o.phase, Spawn: o.child}
		switch c.name {
		case "alter":
			cfg.N = sz.alter
		case "memory":
			cfg.N = sz.memory
		case "first-sync":
			cfg.N = sz.firstSync
		}
		return cfg
	}
	ctx := context.Background()

	if o.child {
		if len(cases) != 1 || o.dir == "" {
			return fmt.Errorf("-child needs exactly one case and -dir")
		}
		rs, err := cases[0].run(ctx, cfgFor(cases[0], o.dir))
		if err != nil {
			return err
		}
		withRSS(rs, "case")
		for _, r := range rs {
			if err := writeJSON(stdout, r); err != nil {
				return err
			}
		}
		return nil
	}

	dir, err := os.MkdirTemp(o.dir, "capture-bench-")
	if err != nil {
		return fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	stopOnSignal(dir)

	env := environment()
	if o.json {
		if log != nil {
			fmt.Fprintln(log, env)
		}
	} else {
		fmt.Fprintf(stdout, "%s\nruns=%d (median ratio), %d statements per transaction, WAL, synchronous=NORMAL\n\n", env, o.runs, txSize)
	}
	var all []Result
	for _, c := range cases {
		var units [][]int // growth: one child per size, so each size has its own peak RSS
		if c.name == "growth" && !o.inProcess {
			for _, s := range sizes {
				units = append(units, []int{s})
			}
		} else {
			units = [][]int{sizes}
		}
		for _, u := range units {
			cfg := cfgFor(c, dir)
			cfg.Sizes = u
			var rs []Result
			if o.inProcess {
				rs, err = c.run(ctx, cfg)
				withRSS(rs, "process")
			} else {
				rs, err = runChild(c.name, cfg, stderr)
			}
			if err != nil {
				return fmt.Errorf("case %s: %w", c.name, err)
			}
			for _, r := range rs {
				if o.json {
					if err := writeJSON(stdout, r); err != nil {
						return err
					}
				}
				all = append(all, r)
			}
		}
	}
	if !o.json {
		if err := writeTable(stdout, all, o.markdown); err != nil {
			return err
		}
		if err := writeDetails(stdout, all); err != nil {
			return err
		}
		if o.inProcess {
			fmt.Fprintln(stdout, "\n* peak RSS of the whole process up to that case (-inprocess)")
		}
	}
	return nil
}

// stopOnSignal removes dir and exits when the process is interrupted, so
// an interrupted run leaves no database files behind.
func stopOnSignal(dir string) {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		<-ctx.Done()
		os.RemoveAll(dir)
		fmt.Fprintln(os.Stderr, "bench: interrupted")
		os.Exit(130)
	}()
}
