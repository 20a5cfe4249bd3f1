package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/rs/zerolog"
)

// cmdFlags is the flag set of one command, with the flags every command
// shares: --db, --log-level and, for commands that report something,
// --json.
type cmdFlags struct {
	*flag.FlagSet
	e                       *env
	name, synopsis, example string
	about                   string // printed after the usage lines

	db       string
	noDB     bool // the command works on no database (demo)
	json     bool
	logLevel string
}

// newFlags returns the flag set of command name, with --db and --log-level.
// synopsis follows the command name in the usage line, one line per form
// for a command that has several; example is a whole command line.
func newFlags(e *env, name, synopsis, example string) *cmdFlags {
	f := newFlagsNoDB(e, name, synopsis, example)
	f.noDB = false
	f.StringVar(&f.db, "db", "", "`path` of the database file (required)")
	return f
}

// newFlagsNoDB is newFlags for a command that opens no database given on
// the command line: it has no --db.
func newFlagsNoDB(e *env, name, synopsis, example string) *cmdFlags {
	f := &cmdFlags{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), e: e,
		name: name, synopsis: synopsis, example: example, noDB: true}
	f.SetOutput(e.stderr)
	f.Usage = func() {} // printed by parse, on stdout for -h
	f.addLogLevel()
	return f
}

// addLogLevel adds --log-level, defaulting to the global flag's value.
func (f *cmdFlags) addLogLevel() {
	level := f.e.logLevel
	if level == "" {
		level = "warn"
	}
	f.StringVar(&f.logLevel, "log-level", level, "log `level` on stderr: trace, debug, info, warn, error, disabled")
}

// withJSON adds --json, for commands that report something.
func (f *cmdFlags) withJSON() *cmdFlags {
	f.BoolVar(&f.json, "json", false, "print JSON instead of a table")
	return f
}

// withAbout adds text, which says what the command's forms are for, to its
// usage.
func (f *cmdFlags) withAbout(text string) *cmdFlags {
	f.about = text
	return f
}

// printUsage writes the usage lines, one per form, the flags and the
// example to w.
func (f *cmdFlags) printUsage(w io.Writer) {
	for i, form := range strings.Split(f.synopsis, "\n") {
		lead := "Usage:"
		if i > 0 {
			lead = "      "
		}
		fmt.Fprintf(w, "%s capturectl %s %s\n", lead, f.name, form)
	}
	if f.about != "" {
		fmt.Fprintf(w, "\n%s\n", f.about)
	}
	fmt.Fprint(w, "\nFlags:\n")
	f.VisitAll(func(fl *flag.Flag) {
		kind, text := flag.UnquoteUsage(fl)
		if kind != "" {
			kind = " " + strings.ToUpper(kind)
		}
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" {
			text += fmt.Sprintf(" (default %s)", fl.DefValue)
		}
		fmt.Fprintf(w, "  --%s%s\n      %s\n", fl.Name, kind, text)
	})
	fmt.Fprintf(w, "\nExample:\n  %s\n", f.example)
}

// parse parses args, flags and positional arguments in any order ("--"
// ends the flags), checks that exactly the named positional arguments and
// --db (for the commands that have it) are there, and sets up the logger.
// It returns the positional arguments. -h prints the usage on stdout and
// returns errHelp; a flag the flag package refuses prints the usage on
// stderr and returns errUsage; other mistakes return an error for exit code
// 2 with a hint.
func (f *cmdFlags) parse(args []string, positional ...string) ([]string, error) {
	var rest []string
	for {
		in := args
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printUsage(f.e.stdout)
				return nil, errHelp
			}
			f.printUsage(f.e.stderr)
			return nil, errUsage
		}
		args = f.Args()
		if len(args) == 0 {
			break
		}
		if used := len(in) - len(args); used > 0 && in[used-1] == "--" {
			rest = append(rest, args...) // after "--", everything is positional
			break
		}
		rest, args = append(rest, args[0]), args[1:]
	}
	help := fmt.Sprintf("run capturectl %s -h for its flags and an example", f.name)
	if len(rest) < len(positional) {
		return nil, usageErr(fmt.Errorf("missing %s", strings.Join(positional[len(rest):], " ")), help)
	} else if len(rest) > len(positional) {
		return nil, usageErr(fmt.Errorf("unexpected argument %q", rest[len(positional)]), help)
	}
	if f.db == "" && !f.noDB {
		return nil, usageErr(errors.New("--db is required"), help)
	}
	lvl, err := parseLevel(f.logLevel)
	if err != nil {
		return nil, err
	}
	f.e.log = zerolog.New(f.e.stderr).Level(lvl).With().Timestamp().Str("cmd", f.name).Logger()
	return rest, nil
}

// parseLevel reads a --log-level value.
func parseLevel(s string) (zerolog.Level, error) {
	lvl, err := zerolog.ParseLevel(s)
	if err != nil || s == "" {
		return 0, usageErr(fmt.Errorf("--log-level %q: not a log level", s),
			"levels are trace, debug, info, warn, error, fatal, panic and disabled")
	}
	return lvl, nil
}
