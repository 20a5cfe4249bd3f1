package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/lww"
)

// Helpers of the merge-side cases: two captured devices, pairing, sending
// changesets, and template database files copied for each run.

// pairBoth pairs a and b with each other.
func pairBoth(ctx context.Context, a, b *capture.Engine) error {
	if err := a.Pair(ctx, capture.Device{ID: b.NodeID(), Name: "bench B", Platform: "bench"}, []byte("bench-token")); err != nil {
		return err
	}
	return b.Pair(ctx, capture.Device{ID: a.NodeID(), Name: "bench A", Platform: "bench"}, []byte("bench-token"))
}

// send exports from's delta (or snapshot) for to into a file in dir and
// applies it on to, streaming, as devices do (a snapshot held in memory
// would inflate the case's peak RSS).
func send(ctx context.Context, dir string, from, to *capture.Engine, snapshot bool) (st capture.ExportStats, res lww.Result, err error) {
	f, err := os.CreateTemp(dir, "changeset-*")
	if err != nil {
		return st, res, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if st, err = from.Export(ctx, f, capture.ExportOptions{Peer: to.NodeID(), Snapshot: snapshot}); err != nil {
		return st, res, fmt.Errorf("export: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return st, res, err
	}
	if res, err = lww.Apply(ctx, to, f, lww.Options{}); err != nil {
		return st, res, fmt.Errorf("apply: %w", err)
	}
	return st, res, nil
}

// firstSync brings b level with a as a newly paired device does: a's
// snapshot applied on b, then b's (empty) delta back to a, whose header
// acknowledges the snapshot so that a's next delta for b starts after it.
func firstSync(ctx context.Context, dir string, a, b *capture.Engine) error {
	st, res, err := send(ctx, dir, a, b, true)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if res.Lost != 0 || res.Won != res.Records {
		return fmt.Errorf("snapshot: %d records, %d won, %d lost", res.Records, res.Won, res.Lost)
	}
	if _, _, err := send(ctx, dir, b, a, false); err != nil {
		return fmt.Errorf("acknowledgement: %w", err)
	}
	dev, err := a.Device(ctx, b.NodeID())
	if err != nil {
		return err
	}
	if dev.AckedSeq != st.UpToSeq {
		return fmt.Errorf("after the snapshot the peer's cursor is at %d, want %d", dev.AckedSeq, st.UpToSeq)
	}
	return nil
}

// saveTemplate checkpoints d's WAL into the database file and closes d, so
// the file alone holds the database and can be copied.
func saveTemplate(d *db) error {
	if err := d.conn.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		d.close()
		return fmt.Errorf("checkpoint %s: %w", d.path, err)
	}
	return d.close()
}

// reopen opens an existing benchmark database: the peer shape or the app's
// desktop one, with the engine when captured.
func reopen(ctx context.Context, path string, app, captured bool) (*db, error) {
	if app && captured {
		return openAppEngine(ctx, path)
	}
	conn, err := openFile(path)
	if err != nil {
		return nil, err
	}
	d := &db{path: path, conn: conn}
	if captured {
		if err := d.capture(ctx); err != nil {
			d.close()
			return nil, err
		}
	}
	// Read the schema now, so the timed phase does not pay for it.
	if _, err := queryInt(conn, `SELECT count(*) FROM sqlite_schema`); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// openCopyOf copies the template database src to dst and opens the copy.
func openCopyOf(ctx context.Context, src, dst string, app, captured bool) (*db, error) {
	if err := copyFile(src, dst); err != nil {
		return nil, err
	}
	d, err := reopen(ctx, dst, app, captured)
	if err != nil {
		removeDB(dst)
		return nil, err
	}
	return d, nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
