// Command capturectl is the debug CLI of the capture engine: it creates and
// inspects databases, shows the change queue and the per-field clocks,
// manages paired devices, prunes or undoes changes, exports and applies
// changesets, and runs a demo of two devices syncing.
//
// Usage:
//
//	capturectl [--log-level LEVEL] <command> [flags]
//
// Run "capturectl help" for the list of commands and "capturectl <command>
// -h" for one command's flags and an example. Every command but demo and
// discover takes --db PATH; those that report something take --json. Exit
// codes: 0 success, 1 failure (message and, where one helps, a hint on
// stderr), 2 bad command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"

	"github.com/rs/zerolog"
)

// command is one capturectl subcommand. Each lives in its own file and
// registers itself from an init function.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env carries what a command writes to, so tests need not capture the
// process's own stdout and stderr, and the settings of the global flags.
type env struct {
	stdout, stderr io.Writer
	// logLevel is the --log-level given before the command, the default of
	// each command's own --log-level flag.
	logLevel string
	// log is the logger built from the command's flags, handed to the
	// engine through capture.Options.Logger.
	log zerolog.Logger
}

var commands = map[string]command{}

// register adds a command; the command files call it from init.
func register(name, summary string, run func(ctx context.Context, env *env, args []string) error) {
	commands[name] = command{summary: summary, run: run}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, log: zerolog.Nop()}
	global := flag.NewFlagSet("capturectl", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.Usage = func() {}
	global.StringVar(&e.logLevel, "log-level", "warn", "log `level` on stderr: trace, debug, info, warn, error, disabled")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return exitOK
		}
		usage(stderr)
		return exitUsage
	}
	if _, err := parseLevel(e.logLevel); err != nil {
		return report(stderr, "capturectl", err)
	}
	args = global.Args()
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	if args[0] == "help" {
		if len(args) > 1 {
			if _, ok := commands[args[1]]; ok {
				args = []string{args[1], "-h"}
			} else {
				return report(stderr, "capturectl help", usageErr(fmt.Errorf("unknown command %q", args[1]),
					"run 'capturectl help' for the list of commands"))
			}
		} else {
			usage(stdout)
			return exitOK
		}
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return report(stderr, "capturectl", usageErr(fmt.Errorf("unknown command %q", args[0]),
			"run 'capturectl help' for the list of commands"))
	}
	return report(stderr, "capturectl "+args[0], cmd.run(ctx, e, args[1:]))
}

// report writes err, if any, to stderr with its hint and returns the exit
// code it calls for.
func report(stderr io.Writer, prefix string, err error) int {
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage // the flag package has explained it
	}
	fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
	var f *failure
	if errors.As(err, &f) {
		if f.hint != "" {
			fmt.Fprintf(stderr, "hint: %s\n", f.hint)
		}
		if f.code != 0 {
			return f.code
		}
	}
	return exitFailure
}

// usage writes the list of commands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "capturectl: the debug CLI of the capture sync engine")
	fmt.Fprintln(w, "\nUsage: capturectl [--log-level LEVEL] <command> [flags]   (capturectl <command> -h for details)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
}
