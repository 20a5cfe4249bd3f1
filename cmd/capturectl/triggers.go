package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

func init() {
	register("triggers", "print the capture triggers' SQL, or check the installed ones (--check)", runTriggers)
}

// triggerJSON is one trigger as --json prints it.
type triggerJSON struct {
	Name string `json:"name"`
	SQL  string `json:"sql"`
}

// checkReport is what triggers --check prints.
type checkReport struct {
	OK       bool        `json:"ok"`
	Expected int         `json:"expected"`
	Drift    []driftJSON `json:"drift"`
}

func runTriggers(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "triggers", "--db PATH [--table TABLE | --check] [--json]",
		"capturectl triggers --db ./mobile.db --check").withJSON()
	table := f.String("table", "", "print only the triggers of this `table`")
	check := f.Bool("check", false, "compare the installed triggers with the expected ones; exit 1 on drift")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *check && *table != "" {
		return usageErr(fmt.Errorf("--table and --check do not go together"), "--check checks every table")
	}
	eng, err := openEngine(ctx, e, f.db, true)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)

	// The engine inspected the live schema when it opened; its tables are
	// the ones Install would write triggers for.
	tables := eng.Tables()
	if *table != "" {
		t, ok := eng.Table(*table)
		if !ok {
			return withHint(fmt.Errorf("table %q: %w", *table, capture.ErrUnknownTable),
				"the synced tables are "+strings.Join(tableList(eng), ", "))
		}
		tables = []schema.TableInfo{t}
	}
	want := triggers.GenerateAll(tables)
	if *check {
		return checkTriggers(ctx, e, f, eng, len(want))
	}
	if f.json {
		out := make([]triggerJSON, len(want))
		for i, t := range want {
			out[i] = triggerJSON{Name: t.Name, SQL: t.SQL}
		}
		return writeJSON(e.stdout, out)
	}
	_, err = fmt.Fprint(e.stdout, triggers.Script(want))
	return err
}

// checkTriggers reports the drift between the installed and the expected
// triggers, and fails when there is some.
func checkTriggers(ctx context.Context, e *env, f *cmdFlags, eng *capture.Engine, expected int) error {
	drift, err := eng.Drift(ctx)
	if err != nil {
		return err
	}
	rep := checkReport{OK: len(drift) == 0, Expected: expected, Drift: []driftJSON{}}
	for _, d := range drift {
		rep.Drift = append(rep.Drift, driftJSON{Trigger: d.Trigger, Kind: string(d.Kind)})
	}
	if f.json {
		if err := writeJSON(e.stdout, rep); err != nil {
			return err
		}
	} else if rep.OK {
		fmt.Fprintf(e.stdout, "no drift: the %d capture triggers are installed as expected\n", expected)
	} else {
		tw := newTable(e.stdout)
		row(tw, "TRIGGER", "DRIFT")
		for _, d := range rep.Drift {
			row(tw, d.Trigger, d.Kind)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if rep.OK {
		return nil
	}
	return withHint(fmt.Errorf("%d capture triggers differ from the expected ones", len(drift)),
		fmt.Sprintf("reinstall them with capturectl init --db %s --profile %s", shellQuote(f.db), eng.Profile()))
}

// tableList returns the names of the synced tables.
func tableList(eng *capture.Engine) []string {
	names := make([]string, 0, len(eng.Tables()))
	for _, t := range eng.Tables() {
		names = append(names, t.Name)
	}
	return names
}
