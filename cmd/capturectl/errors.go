package main

import "errors"

// errUsage reports a command line that the flag package already explained
// on stderr (exit code 2); errHelp, a -h that printed the usage (exit code
// 0).
var (
	errUsage = errors.New("usage")
	errHelp  = errors.New("help")
)

// failure is an error with a hint for the person at the terminal and the
// exit code it calls for (0 means exitFailure).
type failure struct {
	err  error
	hint string
	code int
}

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// withHint wraps err with a hint, printed on its own line after the error.
func withHint(err error, hint string) error {
	return &failure{err: err, hint: hint}
}

// usageErr is a bad command line the flag package did not catch (a missing
// flag, a malformed value): exit code 2, with a hint.
func usageErr(err error, hint string) error {
	return &failure{err: err, hint: hint, code: exitUsage}
}
