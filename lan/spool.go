package lan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// A round's changeset is read whole, and decompressed, before its apply
// takes the server's engine: a phone that uploads slowly then holds up its
// own round only, not every other phone's apply. Up to spoolMemory bytes
// stay in memory; a bigger changeset goes to a temporary file that is
// removed when the round ends.

// DefaultMaxSyncChangeset bounds a round's changeset once decompressed.
const DefaultMaxSyncChangeset = 4 << 30

// spoolMemory is how much of a changeset is kept in memory before the
// rest goes to a file.
const spoolMemory = 4 << 20

// ErrChangesetTooLarge is returned for a round whose changeset, once
// decompressed, is over the server's limit (ServerOptions.MaxSyncChangeset).
var ErrChangesetTooLarge = errors.New("lan: the changeset is over the server's limit")

// spool reads r to its end, at most limit bytes, into memory or a
// temporary file in dir (the system's when ""), and returns a reader of
// what it read. Close removes the file.
func spool(r io.Reader, limit int64, dir string) (io.ReadCloser, error) {
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, r, min(limit, spoolMemory)+1)
	switch {
	case err == io.EOF:
		return io.NopCloser(bytes.NewReader(buf.Bytes())), nil
	case err != nil:
		return nil, err
	case n > limit:
		return nil, fmt.Errorf("%w: over %d bytes", ErrChangesetTooLarge, limit)
	}
	f, err := os.CreateTemp(dir, "capture-round-*.changeset")
	if err != nil {
		return nil, fmt.Errorf("lan: spool the changeset: %w", err)
	}
	sf := &spoolFile{f}
	if _, err := f.Write(buf.Bytes()); err != nil {
		sf.Close()
		return nil, fmt.Errorf("lan: spool the changeset: %w", err)
	}
	more, err := io.Copy(f, io.LimitReader(r, limit-n+1))
	if err != nil {
		sf.Close()
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("lan: spool the changeset: %w", err)
		}
		return nil, err
	}
	if n+more > limit {
		sf.Close()
		return nil, fmt.Errorf("%w: over %d bytes", ErrChangesetTooLarge, limit)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		sf.Close()
		return nil, fmt.Errorf("lan: spool the changeset: %w", err)
	}
	return sf, nil
}

// spoolFile is a spooled changeset in a temporary file.
type spoolFile struct{ *os.File }

// Close closes and removes the file.
func (f *spoolFile) Close() error {
	err := f.File.Close()
	if rerr := os.Remove(f.Name()); err == nil {
		err = rerr
	}
	return err
}
