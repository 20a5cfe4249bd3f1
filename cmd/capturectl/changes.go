package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/capture-sync/capture/capture"
)

func init() {
	register("changes", "list the change log, newest first, with filters", runChanges)
}

// optString is a string flag that remembers whether it was given, so that
// an empty value can mean something.
type optString struct {
	value string
	set   bool
}

func (o *optString) String() string     { return o.value }
func (o *optString) Set(s string) error { o.value, o.set = s, true; return nil }

// timeFlag is a flag holding an RFC 3339 time.
type timeFlag struct{ t time.Time }

func (tf *timeFlag) String() string {
	if tf.t.IsZero() {
		return ""
	}
	return tf.t.Format(time.RFC3339)
}

func (tf *timeFlag) Set(s string) error {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 time such as 2026-01-02T15:04:05Z")
	}
	tf.t = t
	return nil
}

// changeJSON is one change as --json prints it.
type changeJSON struct {
	Seq     int64  `json:"seq"`
	HLC     int64  `json:"hlc"`
	HLCTime string `json:"hlc_time"`
	Origin  string `json:"origin"`
	Table   string `json:"table"`
	Entity  any    `json:"entity"`
	Field   string `json:"field"`
	Op      string `json:"op"`
	Old     any    `json:"old"`
	New     any    `json:"new"`
}

func newChangeJSON(c capture.Change) changeJSON {
	return changeJSON{Seq: c.Seq, HLC: int64(c.HLC), HLCTime: c.HLC.String(), Origin: c.Origin, Table: c.Table,
		Entity: jsonValue(c.EntityID), Field: c.Field, Op: c.Op.String(), Old: jsonValue(c.Old), New: jsonValue(c.New)}
}

func runChanges(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "changes", "--db PATH [filters] [--limit N] [--json]",
		"capturectl changes --db ./mobile.db --table discovery_releases --since 2026-01-01T00:00:00Z --limit 20").withJSON()
	table := f.String("table", "", "only changes to this `table`")
	entity := f.String("entity", "", "only changes to this entity `id`, as stored (composite: \"'r1','g1'\")")
	var field optString
	f.Var(&field, "field", "only changes to this `field`; \"\" selects the row-level entries (insert, delete)")
	origin := f.String("origin", "", "only changes made by this node `id` (\"local\": this device)")
	var since, until timeFlag
	f.Var(&since, "since", "only changes stamped at or after this RFC 3339 `time`")
	f.Var(&until, "until", "only changes stamped before this RFC 3339 `time`")
	afterSeq := f.Int64("after-seq", 0, "only changes with a sequence number above `seq`")
	uptoSeq := f.Int64("upto-seq", 0, "only changes with a sequence number up to `seq` (0: no bound)")
	limit := f.Int("limit", 50, "show at most `n` changes (0: all)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *limit < 0 || *afterSeq < 0 || *uptoSeq < 0 {
		return usageErr(fmt.Errorf("--limit, --after-seq and --upto-seq must not be negative"), "")
	}
	eng, err := openEngine(ctx, e, f.db, true)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)

	flt := capture.Filter{Table: *table, Origin: *origin, AfterSeq: *afterSeq, UpToSeq: *uptoSeq,
		Since: since.t, Until: until.t, Newest: true, Limit: *limit}
	if flt.Origin == "local" {
		flt.Origin = eng.NodeID()
	}
	if field.set {
		flt.Field = &field.value
	}
	if *entity != "" {
		flt.Entity = *entity
		if t, ok := eng.Table(*table); ok {
			flt.Entity = entityArg(t, *entity)
		}
	}
	var list []capture.Change
	for c, err := range eng.Changes(ctx, flt) {
		if err != nil {
			return err
		}
		list = append(list, c)
	}
	if f.json {
		out := make([]changeJSON, len(list))
		for i, c := range list {
			out[i] = newChangeJSON(c)
		}
		return writeJSON(e.stdout, out)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "no changes")
		return nil
	}
	return printChanges(e.stdout, list)
}

// printChanges writes changes as a table, one line each.
func printChanges(w io.Writer, list []capture.Change) error {
	tw := newTable(w)
	row(tw, "SEQ", "HLC", "ORIGIN", "TABLE", "ENTITY", "FIELD", "OP", "OLD -> NEW")
	for _, c := range list {
		values := formatValue(c.Old) + " -> " + formatValue(c.New)
		if c.Field == "" && c.Old == nil && c.New == nil {
			values = "" // a row-level entry: the field entries hold the values
		}
		row(tw, strconv.FormatInt(c.Seq, 10), c.HLC.String(), c.Origin, c.Table, formatEntity(c.EntityID),
			fieldName(c.Field), c.Op.String(), values)
	}
	return tw.Flush()
}

// fieldName names a field in the tables: "(row)" for the row itself.
func fieldName(f string) string {
	if f == "" {
		return "(row)"
	}
	return escapeControl(f)
}
