package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
)

// The demo's views: the releases each device holds, side by side, and why
// each edit made apart ended as it did.

// releaseFields are the fields of a release the demo shows, in order:
// columns of discovery_releases, then its tracks and tags.
var releaseFields = []string{"artist", "title", "label", "notes", "tracks", "tags"}

// demoValueWidth caps a value in the side-by-side view.
const demoValueWidth = 34

// releases maps a release id to its shown fields.
type releases map[string]map[string]string

// readReleases reads every discovery release with its tracks (by position)
// and tags (by name), as plain texts ("-" for NULL or none).
func readReleases(conn *sqlite3.Conn) (releases, error) {
	stmt, _, err := conn.Prepare(`SELECT r.id, r.artist, r.title, r.label, r.notes,
		(SELECT group_concat(name, ', ') FROM
			(SELECT name FROM discovery_tracks WHERE release_id = r.id ORDER BY position, name)),
		(SELECT group_concat(name, ', ') FROM
			(SELECT t.name FROM discovery_release_tags x JOIN tags t ON t.id = x.tag_id WHERE x.release_id = r.id ORDER BY t.name))
		FROM discovery_releases r ORDER BY r.id`)
	if err != nil {
		return nil, fmt.Errorf("read the releases: %w", err)
	}
	defer stmt.Close()
	out := releases{}
	for stmt.Step() {
		vals := map[string]string{}
		for i, name := range releaseFields {
			vals[name] = plainValue(capture.ColumnValue(stmt, i+1))
		}
		out[stmt.ColumnText(0)] = vals
	}
	if err := stmt.Err(); err != nil {
		return nil, fmt.Errorf("read the releases: %w", err)
	}
	return out, nil
}

// plainValue renders a value for people without SQL quoting: "-" for NULL.
func plainValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "-"
	case string:
		return truncate(escapeControl(x), demoValueWidth)
	}
	return truncate(formatValue(v), demoValueWidth)
}

// printReleases writes the releases of both devices side by side, every
// field or (onlyDiffering) only those that differ. It returns how many
// fields differ.
func printReleases(w io.Writer, desktop, phone releases, onlyDiffering bool) (int, error) {
	ids := make([]string, 0, len(desktop)+len(phone))
	for id := range desktop {
		ids = append(ids, id)
	}
	for id := range phone {
		if _, ok := desktop[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	tw := newTable(w)
	row(tw, "RELEASE", "FIELD", "DESKTOP", "PHONE", "")
	differ := 0
	for _, id := range ids {
		first := true
		for _, field := range releaseFields {
			a, b := "(none)", "(none)"
			if r, ok := desktop[id]; ok {
				a = r[field]
			}
			if r, ok := phone[id]; ok {
				b = r[field]
			}
			mark := ""
			if a != b {
				mark = "<- differs"
				differ++
			} else if onlyDiffering {
				continue
			}
			name := ""
			if first {
				name, first = id, false
			}
			row(tw, name, field, a, b, mark)
		}
	}
	return differ, tw.Flush()
}

// madeWrite is one write of an edit made apart, as the writing device's
// register recorded it right after the edit.
type madeWrite struct {
	side  *side
	edit  demoEdit
	value any // the field's value after the edit
	stamp capture.Stamp
	// deleted is set for a row the edit deleted.
	deleted bool
}

// regKey names a register: table, entity and field ("" for the row).
type regKey struct{ table, entity, field string }

func (r regKey) String() string {
	return r.table + " " + r.entity + " " + fieldName(r.field)
}

// fieldState returns the state of one register of an entity on a device.
func fieldState(ctx context.Context, s *side, r regKey) (capture.FieldState, error) {
	states, err := s.eng.Fields(ctx, r.table, r.entity)
	if err != nil {
		return capture.FieldState{}, fmt.Errorf("%s: fields of %s %s: %w", s.name, r.table, r.entity, err)
	}
	for _, st := range states {
		if st.Field == r.field {
			return st, nil
		}
	}
	return capture.FieldState{}, fmt.Errorf("%s: %s has no field %q", s.name, r.table, r.field)
}

// writeText describes what a write left: the value, or the row's fate.
func writeText(r regKey, value any, deleted bool) string {
	switch {
	case r.field != "":
		return truncate(formatValue(value), demoValueWidth)
	case deleted:
		return "deleted"
	}
	return "inserted"
}

// printResolutions explains, for each register written while apart, what
// each device wrote and when, which write won on both devices and why:
// the registers both devices wrote first, then the fields, then the rows.
// It returns how many registers the devices disagree on.
func printResolutions(ctx context.Context, w io.Writer, sides [2]*side, writes []madeWrite) (int, error) {
	var order []regKey
	byReg := map[regKey][]madeWrite{}
	for _, mw := range writes {
		r := regKey{mw.edit.table, mw.edit.entity, mw.edit.field}
		if _, ok := byReg[r]; !ok {
			order = append(order, r)
		}
		byReg[r] = append(byReg[r], mw)
	}
	rank := func(r regKey) int {
		switch {
		case len(byReg[r]) > 1:
			return 0
		case r.field != "":
			return 1
		}
		return 2
	}
	slices.SortStableFunc(order, func(a, b regKey) int { return rank(a) - rank(b) })

	// Align the writes of every register alike.
	deviceW, wroteW := 0, 0
	for _, mw := range writes {
		deviceW = max(deviceW, len(mw.side.name))
		wroteW = max(wroteW, utf8.RuneCountInString(writeText(regKey{field: mw.edit.field}, mw.value, mw.deleted)))
	}
	disagree := 0
	for i, r := range order {
		var final [2]capture.FieldState
		for i, s := range sides {
			st, err := fieldState(ctx, s, r)
			if err != nil {
				return 0, err
			}
			final[i] = st
		}
		if !sameState(final[0], final[1]) {
			disagree++
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, r.String())
		for _, mw := range byReg[r] {
			text := writeText(r, mw.value, mw.deleted)
			fmt.Fprintf(w, "  %-*s  %s%s  at %s\n", deviceW, mw.side.name, text,
				strings.Repeat(" ", wroteW-utf8.RuneCountInString(text)), hlcText(mw.stamp.HLC))
		}
		fmt.Fprintf(w, "  -> %s\n", resolution(sides, byReg[r], r, final))
	}
	return disagree, nil
}

// sameState reports whether two devices hold a register alike: stamp,
// deletion and value.
func sameState(a, b capture.FieldState) bool {
	return a.Stamp == b.Stamp && a.Deleted == b.Deleted && typedValue(a.Value) == typedValue(b.Value)
}

// resolution says which write won a register and why, from the registers
// both devices hold after syncing.
func resolution(sides [2]*side, ws []madeWrite, r regKey, final [2]capture.FieldState) string {
	d, p := final[0], final[1]
	if !sameState(d, p) {
		return fmt.Sprintf("the devices disagree: desktop holds %s (%s), phone %s (%s)",
			writeText(r, d.Value, d.Deleted), d.Stamp, writeText(r, p.Value, p.Deleted), p.Stamp)
	}
	winner := "another device"
	for _, s := range sides {
		if s.eng.NodeID() == d.Stamp.Node {
			winner = s.name
		}
	}
	outcome := writeText(r, d.Value, d.Deleted)
	if r.field == "" {
		outcome += " on both"
	} else {
		outcome = "both hold " + outcome
	}
	if len(ws) == 1 {
		if ws[0].stamp == d.Stamp {
			return fmt.Sprintf("only the %s wrote it: %s", winner, outcome)
		}
		return fmt.Sprintf("%s's later write (%s) wins: %s", winner, d.Stamp.HLC, outcome)
	}
	latest := ws[0].stamp
	for _, mw := range ws[1:] {
		if latest.Less(mw.stamp) {
			latest = mw.stamp
		}
	}
	why := "later"
	switch {
	case d.Stamp != latest:
		why = "not the later write: unexpected"
	case sameHLC(ws):
		why = "same time: the higher node id breaks the tie"
	}
	return fmt.Sprintf("%s's (%s) wins: %s", winner, why, outcome)
}

// sameHLC reports whether every write has the same HLC.
func sameHLC(ws []madeWrite) bool {
	for _, mw := range ws[1:] {
		if mw.stamp.HLC != ws[0].stamp.HLC {
			return false
		}
	}
	return true
}
