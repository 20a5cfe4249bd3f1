package main

import (
	"errors"
	"flag"
	"fmt"
)

// errUsage reports a command line that the flag package already explained
// on stderr (exit code 2); errHelp, a -h that printed the usage (exit code 0).
var (
	errUsage = errors.New("usage")
	errHelp  = errors.New("help")
)

// newFlags returns a flag set for a command that prints its usage line, the
// flags and an example on e's stderr.
func newFlags(e *env, name, synopsis, example string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: capturectl %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
		fmt.Fprintf(e.stderr, "\nExample:\n  %s\n", example)
	}
	return fs
}

// parse parses args, mapping -h and bad flags to errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return errUsage
	}
	return nil
}
