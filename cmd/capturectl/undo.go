package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/capture-sync/capture/capture"
)

func init() {
	register("undo", "revert one captured change by applying its inverse as a new edit", runUndo)
}

// undoReport is what undo prints.
type undoReport struct {
	Undone changeJSON   `json:"undone"`
	New    []changeJSON `json:"new"`
}

func runUndo(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "undo", "--db PATH SEQ [--json]", "capturectl undo --db ./mobile.db 42").withJSON()
	pos, err := f.parse(args, "SEQ")
	if err != nil {
		return err
	}
	seq, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || seq <= 0 {
		return usageErr(fmt.Errorf("SEQ %q is not a sequence number", pos[0]),
			"capturectl changes --db "+shellQuote(f.db)+" shows the sequence numbers")
	}
	eng, err := openEngine(ctx, e, f.db, false)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)

	var undone *capture.Change
	for c, err := range eng.Changes(ctx, capture.Filter{AfterSeq: seq - 1, UpToSeq: seq}) {
		if err != nil {
			return err
		}
		undone = &c
	}
	last, err := eng.LastSeq(ctx)
	if err != nil {
		return err
	}
	if err := eng.Undo(ctx, seq); err != nil {
		return withHint(err, undoHint(err, f.db, undone))
	}
	if undone == nil { // Undo found it; we did not
		return fmt.Errorf("undo %d: the change vanished while reading it", seq)
	}
	rep := undoReport{Undone: newChangeJSON(*undone), New: []changeJSON{}}
	var added []capture.Change
	for c, err := range eng.Changes(ctx, capture.Filter{AfterSeq: last}) {
		if err != nil {
			return err
		}
		added = append(added, c)
		rep.New = append(rep.New, newChangeJSON(c))
	}
	if f.json {
		return writeJSON(e.stdout, rep)
	}
	what := fmt.Sprintf("%s of %s %s", undone.Op, undone.Table, formatEntity(undone.EntityID))
	if undone.Field != "" {
		what += " " + fieldName(undone.Field)
	}
	fmt.Fprintf(e.stdout, "undid change %d (%s); the undo is captured as:\n", seq, what)
	return printChanges(e.stdout, added)
}

// undoHint says what to do about an error of Undo.
func undoHint(err error, db string, c *capture.Change) string {
	switch {
	case errors.Is(err, capture.ErrNoChange):
		return "capturectl changes --db " + shellQuote(db) + " lists the changes; pruned changes cannot be undone"
	case errors.Is(err, capture.ErrUndoConflict) && c != nil:
		return "see the row as it is now with capturectl fields --db " + shellQuote(db) + " " +
			shellQuote(c.Table) + " " + shellQuote(formatEntityArg(c.EntityID))
	}
	return ""
}

// formatEntityArg renders an entity id as the fields command takes it.
func formatEntityArg(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return formatValue(v)
}
