package schema

import "errors"

// Errors returned by Migrate, to be tested with errors.Is.
var (
	// ErrTooNew: the database is at a version this code does not know.
	ErrTooNew = errors.New("database schema is newer than this code")
	// ErrChecksum: a recorded migration checksum differs from the code's,
	// which means a shipped migration was edited.
	ErrChecksum = errors.New("migration checksum mismatch")
	// ErrProfile: the database was created for the other profile.
	ErrProfile = errors.New("database belongs to another profile")
	// ErrUnknownProfile: a profile name that is neither desktop nor mobile.
	ErrUnknownProfile = errors.New("unknown profile")
)
