package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
)

func init() {
	register("status", "show the node, the clock, pending changes per device and trigger drift", runStatus)
}

// statusReport is what status prints.
type statusReport struct {
	Database      string         `json:"database"`
	NodeID        string         `json:"node_id"`
	Profile       string         `json:"profile"`
	SchemaVersion int            `json:"schema_version"`
	Fingerprint   string         `json:"fingerprint"`
	Clock         stampJSON      `json:"clock"`
	LastSeq       int64          `json:"last_seq"`
	Devices       []deviceStatus `json:"devices"`
	Drift         []driftJSON    `json:"drift"`
	// Unadopted counts, by table, the rows no snapshot or delta carries
	// yet: written while capture triggers were missing (capture.Unadopted).
	Unadopted map[string]int `json:"unadopted"`
	// NaturalKeys lists, by table, the natural keys merges go by.
	NaturalKeys map[string][]string `json:"natural_keys"`
	// Merged counts, by table, the entities merged into another one with
	// the same natural key.
	Merged map[string]int `json:"merged"`
	// Parked counts parked values by table and reason.
	Parked []parkedJSON `json:"parked"`
	// FormerNodeIDs are the node ids this database had before a reset.
	FormerNodeIDs []string `json:"former_node_ids"`
	// Forked says when and how a sync found this database restored from a
	// backup or copied; "" otherwise. Hint says what to do.
	Forked     string `json:"forked,omitempty"`
	ForkedHint string `json:"forked_hint,omitempty"`
	// Diverged says when an Apply's own check found a table that does not
	// match its sync state, and the first violation; "" otherwise. Hint
	// says what to do.
	Diverged     string `json:"diverged,omitempty"`
	DivergedHint string `json:"diverged_hint,omitempty"`
}

// divergedHint says what to do with a database an Apply's check found
// diverged.
func divergedHint(db string) string {
	return fmt.Sprintf("run capturectl verify --db %[1]s --repair: it mends what the sync state determines, and names what only a peer can give back "+
		"(capturectl reset --db %[1]s --yes starts over, keeping the pairings)", shellQuote(db))
}

// parkedJSON is one capture.ParkedGroup.
type parkedJSON struct {
	Table    string `json:"table"`
	Reason   string `json:"reason"`
	Values   int    `json:"values"`
	Entities int    `json:"entities"`
}

// forkHint says what to do with a database whose log forked.
func forkHint(db string) string {
	return fmt.Sprintf("nothing was applied. If this database was restored from a backup, run capturectl reset --db %[1]s, then sync: "+
		"it keeps its pairings and gets back what it lost. If it is a copy of another device's database, run "+
		"capturectl reset --db %[1]s --new-device on it, then pair it again", shellQuote(db))
}

// stampJSON is an HLC as JSON shows it: the raw integer and the readable
// form.
type stampJSON struct {
	HLC  int64  `json:"hlc"`
	Time string `json:"time"`
}

// newStamp returns h for JSON; the time is "" for the zero stamp.
func newStamp(h capture.HLC) stampJSON {
	if h == 0 {
		return stampJSON{}
	}
	return stampJSON{HLC: int64(h), Time: h.String()}
}

// deviceStatus is a paired device and how many changes it has not
// acknowledged.
type deviceStatus struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Platform string `json:"platform"`
	AckedSeq int64  `json:"acked_seq"`
	Pending  int    `json:"pending"`
	// Failure is set while changesets from the device fail to apply.
	Failure *failureJSON `json:"failure,omitempty"`
}

// failureJSON is a stuck peer: the last changeset from it that passed
// validation and still failed to apply (capture.ApplyFailure).
type failureJSON struct {
	At     string `json:"at"`
	Count  int    `json:"count"`
	Record string `json:"record"`
	Error  string `json:"error"`
	Hint   string `json:"hint"`
}

// stuckHint says what a stuck peer means and what to do.
const stuckHint = "nothing is lost: the apply was rolled back and the device sends the same changes again at the next sync. " +
	"A changeset that passed validation fails only through a trigger of the app's that refuses a merged write, a bug in capture, or a damaged database: " +
	"run capturectl apply --explain on an export from that device, and report what it says with capturectl status --json"

func newFailureJSON(f *capture.ApplyFailure) *failureJSON {
	if f == nil {
		return nil
	}
	return &failureJSON{At: f.At.Format(time.RFC3339), Count: f.Count, Record: f.Record, Error: f.Err, Hint: stuckHint}
}

// driftJSON is one trigger that differs from the expected ones.
type driftJSON struct {
	Trigger string `json:"trigger"`
	Kind    string `json:"kind"`
}

func runStatus(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "status", "--db PATH [--json]", "capturectl status --db ./mobile.db").withJSON()
	if _, err := f.parse(args); err != nil {
		return err
	}
	eng, err := openEngine(ctx, e, f.db, true)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)

	rep := statusReport{Database: f.db, NodeID: eng.NodeID(), Profile: string(eng.Profile()),
		Fingerprint: eng.Fingerprint(), Devices: []deviceStatus{}, Drift: []driftJSON{}}
	if rep.SchemaVersion, err = schema.Version(eng.Conn()); err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	clock, err := eng.Clock(ctx)
	if err != nil {
		return err
	}
	rep.Clock = newStamp(clock)
	if rep.LastSeq, err = eng.LastSeq(ctx); err != nil {
		return err
	}
	devices, err := eng.Devices(ctx)
	if err != nil {
		return err
	}
	for _, d := range devices {
		n, err := countPending(ctx, eng, d.ID)
		if err != nil {
			return err
		}
		rep.Devices = append(rep.Devices, deviceStatus{ID: d.ID, Name: d.Name, Platform: d.Platform, AckedSeq: d.AckedSeq, Pending: n,
			Failure: newFailureJSON(d.Failure)})
	}
	drift, err := eng.Drift(ctx)
	if err != nil {
		return err
	}
	for _, d := range drift {
		rep.Drift = append(rep.Drift, driftJSON{Trigger: d.Trigger, Kind: string(d.Kind)})
	}
	if rep.Unadopted, err = eng.Unadopted(ctx); err != nil {
		return err
	}
	rep.NaturalKeys = map[string][]string{}
	for _, t := range eng.Tables() {
		for _, k := range t.NaturalKeys {
			rep.NaturalKeys[t.Name] = append(rep.NaturalKeys[t.Name], k.String())
		}
	}
	if rep.Merged, err = eng.Merged(ctx); err != nil {
		return err
	}
	parked, err := eng.Parked(ctx)
	if err != nil {
		return err
	}
	rep.Parked = []parkedJSON{}
	for _, g := range parked {
		rep.Parked = append(rep.Parked, parkedJSON{g.Table, string(g.Reason), g.Values, g.Entities})
	}
	if rep.FormerNodeIDs, err = eng.FormerIDs(ctx); err != nil {
		return err
	}
	if rep.FormerNodeIDs == nil {
		rep.FormerNodeIDs = []string{}
	}
	if rep.Forked, err = eng.Forked(ctx); err != nil {
		return err
	}
	if rep.Diverged, err = eng.Diverged(ctx); err != nil {
		return err
	}
	if rep.Diverged != "" {
		rep.DivergedHint = divergedHint(f.db)
	}
	if rep.Forked != "" {
		rep.ForkedHint = forkHint(f.db)
	}
	if f.json {
		return writeJSON(e.stdout, rep)
	}
	return printStatus(e, rep)
}

// countPending counts the changes device id has not acknowledged.
func countPending(ctx context.Context, eng *capture.Engine, id string) (int, error) {
	n := 0
	for _, err := range eng.Pending(ctx, id) {
		if err != nil {
			return 0, fmt.Errorf("count the changes pending for %s: %w", id, err)
		}
		n++
	}
	return n, nil
}

// unadoptedText says which rows no sync carries yet, and how to adopt them.
func unadoptedText(n map[string]int, db string) string {
	if len(n) == 0 {
		return "none"
	}
	names := slices.Sorted(maps.Keys(n))
	parts := make([]string, len(names))
	total := 0
	for i, name := range names {
		parts[i] = fmt.Sprintf("%s %d", name, n[name])
		total += n[name]
	}
	return fmt.Sprintf("%d rows written without capture (%s): capturectl init --db %s adopts them",
		total, strings.Join(parts, ", "), shellQuote(db))
}

// naturalKeysText lists the natural keys, table by table.
func naturalKeysText(keys map[string][]string) string {
	if len(keys) == 0 {
		return "none"
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(keys)) {
		parts = append(parts, name+" "+strings.Join(keys[name], " "))
	}
	return strings.Join(parts, "; ")
}

// mergedText counts the identity merges by table.
func mergedText(n map[string]int) string {
	if len(n) == 0 {
		return "none"
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(n)) {
		parts = append(parts, fmt.Sprintf("%s %d", name, n[name]))
	}
	return strings.Join(parts, ", ") + " (entities found to be one with another of the same natural key)"
}

// parkedText says how many values wait, where and why.
func parkedText(groups []parkedJSON) string {
	if len(groups) == 0 {
		return "none"
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = fmt.Sprintf("%s %d (%d rows): %s", g.Table, g.Values, g.Entities, g.Reason)
	}
	return strings.Join(parts, "; ")
}

// printStatus writes status's report as tables.
func printStatus(e *env, rep statusReport) error {
	drift := "none"
	if len(rep.Drift) > 0 {
		counts := map[string]int{}
		for _, d := range rep.Drift {
			counts[d.Kind]++
		}
		drift = fmt.Sprintf("%d triggers differ (%d missing, %d changed, %d extra): see capturectl triggers --check",
			len(rep.Drift), counts[string(capture.Missing)], counts[string(capture.Changed)], counts[string(capture.Extra)])
	}
	tw := newTable(e.stdout)
	row(tw, "database", rep.Database)
	row(tw, "node id", rep.NodeID)
	row(tw, "profile", rep.Profile)
	row(tw, "schema", fmt.Sprintf("version %d", rep.SchemaVersion))
	row(tw, "fingerprint", rep.Fingerprint)
	clock := "0 (no stamp yet)"
	if rep.Clock.HLC != 0 {
		clock = fmt.Sprintf("%d (%s)", rep.Clock.HLC, rep.Clock.Time)
	}
	row(tw, "clock", clock)
	row(tw, "last seq", strconv.FormatInt(rep.LastSeq, 10))
	row(tw, "drift", drift)
	row(tw, "unadopted", unadoptedText(rep.Unadopted, rep.Database))
	row(tw, "natural keys", naturalKeysText(rep.NaturalKeys))
	row(tw, "merged", mergedText(rep.Merged))
	row(tw, "parked", parkedText(rep.Parked))
	if len(rep.FormerNodeIDs) > 0 {
		row(tw, "former ids", strings.Join(rep.FormerNodeIDs, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	if rep.Forked != "" {
		fmt.Fprintf(e.stdout, "FORKED: %s\n  hint:  %s\n\n", escapeControl(rep.Forked), rep.ForkedHint)
	}
	if rep.Diverged != "" {
		fmt.Fprintf(e.stdout, "DIVERGED: %s\n  hint:  %s\n\n", escapeControl(rep.Diverged), rep.DivergedHint)
	}
	if len(rep.Devices) == 0 {
		fmt.Fprintln(e.stdout, "no paired devices")
		return nil
	}
	tw = newTable(e.stdout)
	row(tw, "DEVICE", "NAME", "PLATFORM", "ACKED", "PENDING")
	for _, d := range rep.Devices {
		row(tw, d.ID, orDash(escapeControl(d.Name)), orDash(escapeControl(d.Platform)),
			strconv.FormatInt(d.AckedSeq, 10), strconv.Itoa(d.Pending))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, d := range rep.Devices {
		if f := d.Failure; f != nil {
			fmt.Fprintf(e.stdout, "\nSTUCK: changesets from %s failed to apply %d time(s), last at %s\n  at:    %s\n  error: %s\n  hint:  %s\n",
				d.ID, f.Count, f.At, escapeControl(f.Record), escapeControl(f.Error), f.Hint)
		}
	}
	return nil
}
