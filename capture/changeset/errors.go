package changeset

import "errors"

// Errors of Reader and Writer, to be tested with errors.Is.
var (
	// ErrCorrupt: the data is not a well-formed changeset (bad magic, bad
	// checksum, unknown record kind or value type, malformed number).
	ErrCorrupt = errors.New("corrupt changeset")
	// ErrTruncated: the data ends before the changeset's trailer.
	ErrTruncated = errors.New("truncated changeset")
	// ErrVersion: the changeset's format version is not this package's.
	ErrVersion = errors.New("unsupported changeset format version")
	// ErrLimit: a size limit was exceeded (see the Max constants).
	ErrLimit = errors.New("changeset exceeds a size limit")
	// ErrValue: a value that cannot be written (NaN, an unsupported Go type).
	ErrValue = errors.New("value cannot be encoded")
)

// Limits enforced by Reader (and Writer, so that what one writes the other
// reads).
const (
	// MaxValueLen is the largest TEXT or BLOB value, in bytes.
	MaxValueLen = 64 << 20
	// MaxNameLen is the longest table, column or node name, in bytes.
	MaxNameLen = 4096
	// MaxColumns is the most columns in one row (SQLite's default limit).
	MaxColumns = 2000
	// MaxTables is the most tables a header lists.
	MaxTables = 10000
	// MaxFormer is the most former node ids a header lists.
	MaxFormer = 16
	// MaxChecks is the most log checks a header lists.
	MaxChecks = 16
	// MaxWitness is the most checks of third devices' logs a header lists.
	MaxWitness = 1024
	// MaxNames is the most distinct names (tables, columns, nodes) one
	// changeset may use.
	MaxNames = 1 << 16
)
