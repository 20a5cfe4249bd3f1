package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/capture-sync/capture/capture"
)

func init() {
	register("export", "write a changeset for a paired device (a delta, or a snapshot)", runExport)
}

// exportReport is export's summary.
type exportReport struct {
	Peer     string `json:"peer"`
	Snapshot bool   `json:"snapshot"`
	// Out is the file written, "-" for standard output.
	Out     string `json:"out"`
	Records int64  `json:"records"`
	Rows    int64  `json:"rows"`
	Fields  int64  `json:"fields"`
	// AfterSeq is the peer's cursor the delta starts after (0 for a
	// snapshot); UpToSeq the newest sequence number covered.
	AfterSeq int64 `json:"after_seq"`
	UpToSeq  int64 `json:"up_to_seq"`
	Bytes    int64 `json:"bytes"`
}

func runExport(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "export", "--db PATH --peer NODEID [--snapshot] [--out FILE] [--json]",
		"capturectl export --db ./desktop.db --peer 0123456789abcdef --out to-phone.cs").withJSON()
	peer := f.String("peer", "", "node `id` of the paired device the changeset is for (required)")
	snapshot := f.Bool("snapshot", false, "write every register, not only what the peer has not acknowledged (a new device's first sync)")
	out := f.String("out", "-", "`file` to write; - for standard output")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := checkNodeFlag("--peer", *peer, f.db); err != nil {
		return err
	}
	toStdout := *out == "-" || *out == ""
	if toStdout && isTerminal(e.stdout) {
		return usageErr(errors.New("refusing to write a binary changeset to a terminal"),
			"give --out FILE, or redirect: capturectl export --db "+shellQuote(f.db)+" --peer "+*peer+" > changes.cs")
	}
	eng, err := openEngine(ctx, e, f.db, false)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)

	d, err := peerDevice(ctx, eng, *peer, f.db)
	if err != nil {
		return err
	}
	rep := exportReport{Peer: d.ID, Snapshot: *snapshot, Out: "-"}
	if !*snapshot {
		rep.AfterSeq = d.AckedSeq
	}
	write := func(w io.Writer) (capture.ExportStats, error) {
		cw := &countingWriter{w: w}
		p := startProgress(e.stderr, "exporting")
		st, err := eng.Export(ctx, watchWriter(cw, p), capture.ExportOptions{Peer: d.ID, Snapshot: *snapshot})
		p.stop()
		rep.Bytes = cw.n
		return st, err
	}
	var st capture.ExportStats
	if toStdout {
		bw := bufio.NewWriter(e.stdout)
		if st, err = write(bw); err == nil {
			err = bw.Flush()
		}
	} else {
		rep.Out = *out
		st, err = writeFileAtomic(*out, write)
	}
	if err != nil {
		return err
	}
	rep.Rows, rep.Fields, rep.UpToSeq = st.Rows, st.Fields, st.UpToSeq
	rep.Records = st.Rows + st.Fields
	switch {
	case f.json && !toStdout:
		return writeJSON(e.stdout, rep)
	case f.json:
		return writeJSON(e.stderr, rep) // standard output holds the changeset
	}
	fmt.Fprintln(e.stderr, exportSummary(rep))
	return nil
}

// exportSummary is export's one-line summary.
func exportSummary(r exportReport) string {
	kind := fmt.Sprintf("delta (after seq %d)", r.AfterSeq)
	if r.Snapshot {
		kind = "snapshot"
	}
	dest := r.Out
	if dest == "-" {
		dest = "standard output"
	}
	return fmt.Sprintf("exported %s for %s: %d records (%s, %s), up to seq %d, %d bytes to %s",
		kind, r.Peer, r.Records, plural(r.Rows, "row"), plural(r.Fields, "field"), r.UpToSeq, r.Bytes, dest)
}

// peerDevice returns the paired device id, refusing this device's own id
// and devices not paired, with hints.
func peerDevice(ctx context.Context, eng *capture.Engine, id, db string) (capture.Device, error) {
	if id == eng.NodeID() {
		return capture.Device{}, withHint(fmt.Errorf("--peer %s: %w", id, capture.ErrSelf),
			"give the node id of the device the changeset is for: capturectl devices --db "+shellQuote(db)+" lists the paired ones")
	}
	d, err := eng.Device(ctx, id)
	if errors.Is(err, capture.ErrUnknownDevice) {
		return d, withHint(fmt.Errorf("--peer %s: %w", id, err),
			"pair it first: capturectl pair --db "+shellQuote(db)+" --device "+id+" --token TOKEN; capturectl devices --db "+
				shellQuote(db)+" lists the paired ones")
	}
	return d, err
}

// checkNodeFlag refuses a node-id flag that is missing or not a node id.
func checkNodeFlag(flagName, id, db string) error {
	if id == "" {
		return usageErr(fmt.Errorf("%s is required", flagName),
			"capturectl devices --db "+shellQuote(db)+" lists the paired devices and their node ids")
	}
	if len(id) != 16 || !isLowerHex(id) {
		return usageErr(fmt.Errorf("%s %q is not a node id (16 lowercase hex digits)", flagName, id),
			"capturectl devices --db "+shellQuote(db)+" lists the paired devices and their node ids")
	}
	return nil
}

func isLowerHex(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// writeFileAtomic runs write on a temporary file next to path and renames
// it to path once written and synced, so that a failed or interrupted
// export never leaves a partial changeset under the name.
func writeFileAtomic[T any](path string, write func(io.Writer) (T, error)) (res T, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return res, fmt.Errorf("create %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<16)
	if res, err = write(bw); err != nil {
		return res, err
	}
	if err = bw.Flush(); err != nil {
		return res, fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return res, fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return res, fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return res, fmt.Errorf("write %s: %w", path, err)
	}
	return res, nil
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

// plural writes n and the noun, with an s unless n is 1.
func plural[N int | int64 | uint64](n N, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
