package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/capture-sync/capture/lww"
)

func init() {
	register("verify", "check that every synced table matches its sync state; --repair mends what the state determines", runVerify)
}

// verifyReport is what verify prints.
type verifyReport struct {
	OK         bool              `json:"ok"`
	Rows       int               `json:"rows"`
	Entities   int               `json:"entities"`
	Total      int               `json:"violations_total"`
	Violations []violationReport `json:"violations"`
	// Repair, with --repair: what it did; the violations above are
	// those left after it.
	Repair *repairReport `json:"repair,omitempty"`
	Hint   string        `json:"hint,omitempty"`
}

type violationReport struct {
	Rule     string `json:"rule"`
	Table    string `json:"table"`
	Entity   any    `json:"entity"`
	Field    string `json:"field,omitempty"`
	Want     string `json:"want"`
	Got      string `json:"got"`
	PeerOnly bool   `json:"peer_only,omitempty"`
}

type repairReport struct {
	Adopted map[string]int `json:"adopted,omitempty"`
	Removed int            `json:"removed"`
}

func runVerify(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "verify", "--db PATH [--repair] [--json]", "capturectl verify --db ./desktop.db --repair").withJSON()
	repair := f.Bool("repair", false, "mend, in one transaction, what the sync state determines, then check again")
	if _, err := f.parse(args); err != nil {
		return err
	}
	eng, err := openEngine(ctx, e, f.db, false)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)

	var out verifyReport
	var vr *lww.VerifyReport
	if *repair {
		rr, err := lww.Repair(ctx, eng)
		if err != nil {
			return err
		}
		out.Repair = &repairReport{Adopted: rr.Adopted, Removed: rr.Removed}
		vr = rr.After
	} else if vr, err = lww.Verify(ctx, eng, lww.VerifyOptions{}); err != nil {
		return err
	}
	out.OK, out.Rows, out.Entities, out.Total = vr.OK(), vr.Rows, vr.Entities, vr.Total
	peerOnly := false
	for _, v := range vr.Violations {
		out.Violations = append(out.Violations, violationReport{Rule: string(v.Rule), Table: v.Table, Entity: v.Entity,
			Field: v.Field, Want: v.Want, Got: v.Got, PeerOnly: v.PeerOnly})
		peerOnly = peerOnly || v.PeerOnly
	}
	var hints []string
	if !out.OK && !*repair {
		hints = append(hints, fmt.Sprintf("run `capturectl verify --db %s --repair` to mend what the sync state determines", f.db))
	}
	if peerOnly {
		hints = append(hints, fmt.Sprintf("rows marked [peer] lost their values here, and only a peer can give them back: run `capturectl reset --db %s --yes` (it keeps the pairings) and sync", f.db))
	}
	out.Hint = strings.Join(hints, "; then ")
	if f.json {
		if err := writeJSON(e.stdout, out); err != nil {
			return err
		}
	} else {
		printVerify(e, out)
	}
	if !out.OK {
		return &failure{err: fmt.Errorf("%d violations of the sync invariants", out.Total), hint: out.Hint}
	}
	return nil
}

func printVerify(e *env, out verifyReport) {
	w := e.stdout
	if r := out.Repair; r != nil {
		adopted := 0
		for _, t := range slices.Sorted(maps.Keys(r.Adopted)) {
			adopted += r.Adopted[t]
		}
		fmt.Fprintf(w, "repaired: %d rows written behind the capture triggers captured, %d rows removed\n", adopted, r.Removed)
	}
	fmt.Fprintf(w, "checked %d rows and %d live entities: %d violations\n", out.Rows, out.Entities, out.Total)
	for _, v := range out.Violations {
		field := ""
		if v.Field != "" {
			field = " " + v.Field
		}
		peer := ""
		if v.PeerOnly {
			peer = " [peer]"
		}
		fmt.Fprintf(w, "  %-15s %s %v%s%s\n      want %s\n      got  %s\n", v.Rule, v.Table, formatValue(v.Entity), field, peer, v.Want, v.Got)
	}
	if len(out.Violations) < out.Total {
		fmt.Fprintf(w, "  ... and %d more\n", out.Total-len(out.Violations))
	}
}
