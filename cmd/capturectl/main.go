// Command capturectl is the debug CLI of the capture engine: it creates and
// inspects databases, shows the change queue and the per-field clocks, and
// exports and applies changesets.
//
// Usage:
//
//	capturectl <command> [flags]
//
// Run "capturectl help" for the list of commands and "capturectl <command>
// -h" for one command's flags and an example.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
)

// command is one capturectl subcommand. Each lives in its own file.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env carries what a command writes to, so tests need not capture the
// process's own stdout and stderr.
type env struct {
	stdout, stderr io.Writer
}

var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, env *env, args []string) error) {
	commands[name] = command{summary: summary, run: run}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "capturectl: unknown command %q\n", args[0])
		fmt.Fprintln(stderr, "hint: run 'capturectl help' for the list of commands")
		return 2
	}
	if err := cmd.run(ctx, e, args[1:]); err != nil {
		switch err {
		case errHelp:
			return 0
		case errUsage:
			return 2
		}
		fmt.Fprintf(stderr, "capturectl %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "capturectl: the debug CLI of the capture sync engine")
	fmt.Fprintln(w, "\nUsage: capturectl <command> [flags]   (capturectl <command> -h for details)")
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
