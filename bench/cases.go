package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// benchCase is one named case of the runner.
type benchCase struct {
	name string
	// run measures the case and returns one result (several for growth).
	run func(ctx context.Context, cfg *Config) ([]Result, error)
	// about is the one-line description -list prints.
	about string
}

// allCases are the cases in the order a full run measures them.
var allCases = []benchCase{
	{"update", caseUpdate, "UPDATE t SET a=? WHERE id=? for every row, captured/plain"},
	{"insert", caseInsert, "full-row INSERT of every row into an empty t, captured/plain"},
	{"delete", caseDelete, "DELETE FROM t WHERE id=? for every row, captured/plain"},
	{"update-app", caseUpdateApp, "UPDATE discovery_releases SET notes=? WHERE id=?, desktop database, captured/plain"},
	{"insert-app", caseInsertApp, "full-row INSERT into discovery_releases, captured/plain"},
	{"delete-app", caseDeleteApp, "DELETE FROM discovery_releases WHERE id=?, captured/plain"},
	{"growth", caseGrowth, "the update case at each of -sizes rows: captured µs/update and ratio"},
	{"alter", caseAlter, "ALTER TABLE t ADD COLUMN f TEXT + Engine.Install on a big captured t, against the ALTER alone"},
	{"storage", caseStorage, "sync-metadata bytes per synced-data byte after insert, one edit each, ack and prune"},
}

// selectCases returns the cases named in the comma-separated list (all for
// an empty list), in the order of allCases.
func selectCases(list string) ([]benchCase, error) {
	if strings.TrimSpace(list) == "" {
		return allCases, nil
	}
	want := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !slices.ContainsFunc(allCases, func(c benchCase) bool { return c.name == name }) {
			return nil, fmt.Errorf("unknown case %q (known: %s)", name, caseNames())
		}
		want[name] = true
	}
	var out []benchCase
	for _, c := range allCases {
		if want[c.name] {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no case selected (known: %s)", caseNames())
	}
	return out, nil
}

// caseNames lists the known case names.
func caseNames() string {
	names := make([]string, len(allCases))
	for i, c := range allCases {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}
