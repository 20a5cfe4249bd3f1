package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/lww"
)

func init() {
	register("apply", "merge a changeset from a paired device, field by field, last writer wins", runApply)
}

// applyReport is what apply prints with --json.
type applyReport struct {
	Origin   string `json:"origin"`
	Snapshot bool   `json:"snapshot"`
	UpToSeq  int64  `json:"up_to_seq"`
	DryRun   bool   `json:"dry_run"`
	Records  int    `json:"records"`
	Won      int    `json:"won"`
	Lost     int    `json:"lost"`
	// Parked counts the records that won but whose value waits aside
	// (they are counted in Won too).
	Parked int `json:"parked"`
	// Decisions, with --explain, say what happened to each record.
	Decisions []decisionJSON `json:"decisions,omitempty"`
	// Merges lists the identity merges: two ids found to be one thing.
	Merges []mergeJSON `json:"merges"`
}

// mergeJSON is one lww.Merge.
type mergeJSON struct {
	Table    string `json:"table"`
	Entity   any    `json:"entity"`
	Survivor any    `json:"survivor"`
	Why      string `json:"why"`
}

// decisionJSON is one record's outcome.
type decisionJSON struct {
	Kind    string `json:"kind"`
	Table   string `json:"table"`
	Entity  any    `json:"entity"`
	Field   string `json:"field"`
	HLC     int64  `json:"hlc"`
	HLCTime string `json:"hlc_time"`
	Origin  string `json:"origin"`
	Outcome string `json:"outcome"`
	Why     string `json:"why"`
}

func runApply(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "apply", "--db PATH [--dry-run] [--explain] [--json] FILE|-",
		"capturectl apply --db ./mobile.db --explain from-desktop.cs").withJSON()
	dryRun := f.Bool("dry-run", false, "decide every record and show the outcome, but write nothing")
	explain := f.Bool("explain", false, "show one line per record: what happened to it and why")
	pos, err := f.parse(args, "FILE")
	if err != nil {
		return err
	}
	eng, err := openEngine(ctx, e, f.db, false)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)

	in, name, err := openChangeset(pos[0], eng.NodeID())
	if err != nil {
		return err
	}
	defer in.Close()

	p := startProgress(e.stderr, "applying")
	src := watchReader(bufio.NewReaderSize(in, 1<<16), p)
	h, src := peekHeader(src)
	res, err := lww.Apply(ctx, eng, src, lww.Options{DryRun: *dryRun, Explain: *explain})
	p.stop()
	if err != nil {
		return applyHint(err, name, f.db, res.Origin, eng.NodeID())
	}
	rep := applyReport{Origin: res.Origin, Snapshot: h.Snapshot, UpToSeq: res.UpToSeq, DryRun: *dryRun,
		Records: res.Records, Won: res.Won, Lost: res.Lost, Parked: res.Parked}
	rep.Merges = []mergeJSON{}
	for _, m := range res.Merges {
		rep.Merges = append(rep.Merges, mergeJSON{m.Table, jsonValue(m.Entity), jsonValue(m.Survivor), m.Why})
	}
	for _, d := range res.Decisions {
		rep.Decisions = append(rep.Decisions, newDecisionJSON(d))
	}
	if f.json {
		return writeJSON(e.stdout, rep)
	}
	return printApply(e, rep, res.Decisions, *explain)
}

// openChangeset opens the changeset file name, or standard input for "-".
func openChangeset(name, self string) (io.ReadCloser, string, error) {
	if name == "-" {
		return io.NopCloser(os.Stdin), "standard input", nil
	}
	fh, err := os.Open(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, name, withHint(fmt.Errorf("changeset %s does not exist", name),
			"write one on the other device: capturectl export --db OTHER.db --peer "+self+" --out "+shellQuote(name))
	case err != nil:
		return nil, name, fmt.Errorf("changeset: %w", err)
	}
	if st, err := fh.Stat(); err == nil && st.IsDir() {
		fh.Close()
		return nil, name, fmt.Errorf("changeset %s is a directory", name)
	}
	return fh, name, nil
}

// peekHeader reads the changeset's header from r, for what lww.Result does
// not say (whether it is a snapshot), and returns a reader that yields the
// whole stream again. A header it cannot read is left for lww.Apply to
// report.
func peekHeader(r io.Reader) (changeset.Header, io.Reader) {
	var seen bytes.Buffer
	cr, err := changeset.NewReader(io.TeeReader(r, &seen))
	var h changeset.Header
	if err == nil {
		h = cr.Header()
	}
	return h, io.MultiReader(&seen, r)
}

// applyHint explains the errors of lww.Apply.
func applyHint(err error, file, db, origin, self string) error {
	switch {
	case errors.Is(err, changeset.ErrTruncated):
		return withHint(err, file+" ends early: it was cut off in transfer or while written; export it again")
	case errors.Is(err, changeset.ErrCorrupt):
		return withHint(err, file+" is damaged or not a changeset; export it again (nothing was applied)")
	case errors.Is(err, changeset.ErrVersion):
		return withHint(err, "the changeset was written by another version of capture; use the same version on both devices")
	case errors.Is(err, changeset.ErrLimit):
		return withHint(err, file+" exceeds the format's limits; nothing was applied")
	case errors.Is(err, lww.ErrOwnChangeset):
		return withHint(err, "this database wrote it: apply it on the device it was exported for (--peer of export)")
	case errors.Is(err, lww.ErrNotForThisDevice):
		return withHint(err, "apply it on the device it was exported for, or export one for this device: --peer "+self)
	case errors.Is(err, capture.ErrUnknownDevice):
		return withHint(err, fmt.Sprintf("pair the device that wrote it first: capturectl pair --db %s --device %s --token TOKEN",
			shellQuote(db), orDash(origin)))
	case errors.Is(err, capture.ErrClockDrift):
		return withHint(err, "one of the two devices' clocks is wrong: check the date and time settings of both, then export again")
	case errors.Is(err, lww.ErrApplyFailed):
		return withHint(err, stuckHint)
	case errors.Is(err, capture.ErrForked):
		return withHint(err, forkHint(db))
	case errors.Is(err, lww.ErrPeerForked):
		return withHint(err, "nothing was applied: the database that wrote it is a copy or an older backup of "+orDash(origin)+
			"'s; reset it there (capturectl reset, with --new-device for a copy), then sync again")
	case errors.Is(err, lww.ErrNotSynced), errors.Is(err, lww.ErrBadRecord):
		return withHint(err, "the changeset does not fit this database's schema or is malformed; nothing was applied")
	}
	return err
}

// newDecisionJSON returns a decision for JSON.
func newDecisionJSON(d lww.Decision) decisionJSON {
	kind := "field"
	if d.Kind == changeset.Row {
		kind = "row"
	}
	return decisionJSON{Kind: kind, Table: d.Table, Entity: jsonValue(d.Entity), Field: d.Field,
		HLC: int64(d.Stamp.HLC), HLCTime: hlcText(d.Stamp.HLC), Origin: d.Stamp.Node, Outcome: d.Outcome,
		Why: decisionWhy(d.Outcome, d.Why)}
}

// decisionWhy is the reason lww gives, or the one a win without a remark
// implies.
func decisionWhy(outcome, why string) string {
	if why == "" && outcome == "won" {
		return "newer than what this device held"
	}
	return why
}

// printApply writes apply's report for people.
func printApply(e *env, rep applyReport, decisions []lww.Decision, explain bool) error {
	kind := "delta"
	if rep.Snapshot {
		kind = "snapshot"
	}
	verb, written, kept := "applied", "written", "kept aside"
	if rep.DryRun {
		verb, written, kept = "dry run of", "would be written", "would be kept aside"
	}
	fmt.Fprintf(e.stdout, "%s %s from %s (its changes up to seq %d): %s\n", verb, kind, rep.Origin, rep.UpToSeq,
		plural(rep.Records, "record"))
	tw := newTable(e.stdout)
	row(tw, "  won", strconv.Itoa(rep.Won), "newer than what this device held: "+written)
	row(tw, "  parked", strconv.Itoa(rep.Parked), "of those won, "+kept+" until their row, parent or column is here")
	row(tw, "  lost", strconv.Itoa(rep.Lost), "this device already held a newer or the same write: ignored")
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, m := range rep.Merges {
		line := fmt.Sprintf("  merged %s %s into %s", escapeControl(m.Table), formatEntity(m.Entity), formatEntity(m.Survivor))
		if explain {
			line += ": " + m.Why
		}
		fmt.Fprintln(e.stdout, line)
	}
	if len(decisions) > 0 {
		fmt.Fprintln(e.stdout)
		tw = newTable(e.stdout)
		row(tw, "TABLE", "ENTITY", "FIELD", "STAMP", "ORIGIN", "OUTCOME", "WHY")
		for _, d := range decisions {
			row(tw, escapeControl(d.Table), formatEntity(d.Entity), fieldName(d.Field), hlcText(d.Stamp.HLC),
				escapeControl(d.Stamp.Node), d.Outcome, escapeControl(decisionWhy(d.Outcome, d.Why)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if rep.DryRun {
		fmt.Fprintln(e.stdout, "dry run: nothing was written")
	}
	return nil
}
