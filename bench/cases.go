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
	{"update-upsert", caseUpdateUpsert, "the update case with the register written by the upsert the triggers used before (SQLite 3.35)"},
	{"insert-upsert", caseInsertUpsert, "the insert case with the register written by the upsert the triggers used before (SQLite 3.35)"},
	{"delete-upsert", caseDeleteUpsert, "the delete case with the register written by the upsert the triggers used before (SQLite 3.35)"},
	{"update-app", caseUpdateApp, "UPDATE discovery_releases SET notes=? WHERE id=?, desktop database, captured/plain"},
	{"insert-app", caseInsertApp, "full-row INSERT into discovery_releases, captured/plain"},
	{"delete-app", caseDeleteApp, "DELETE FROM discovery_releases WHERE id=?, captured/plain"},
	{"delete-app-nofk", caseDeleteAppNoFK, "the delete-app case without the foreign-key triggers (what they cost)"},
	{"growth", caseGrowth, "the update case at each of -sizes rows: captured µs/update and ratio"},
	{"alter", caseAlter, "ALTER TABLE t ADD COLUMN f TEXT + Engine.Install on a big captured t, against the ALTER alone"},
	{"storage", caseStorage, "sync-metadata bytes per synced-data byte after insert, one edit each, ack and prune"},
	{"merge", caseMerge, "lww.Apply of N single-field changes (3 in 4 win) on t, against the same edits as plain UPDATEs"},
	{"merge-inorder", caseMergeInOrder, "the merge case as run.sh merges: column a of every row of t, in id order, all winning"},
	{"merge-app", caseMergeApp, "the merge case on discovery_releases (notes, label, title), desktop databases"},
	{"floor-update", caseFloorUpdate, "bound of update: the update case with a trigger that only logs and stamps (no clock)"},
	{"floor-update-app", caseFloorUpdateApp, "bound of update-app: the update-app case with a notes trigger that only logs and stamps (no clock)"},
	{"floor-delete", caseFloorDelete, "bound of delete: the delete case with a trigger that only logs the old values and the row, and stamps the tombstone (no clock)"},
	{"floor-merge", caseFloorMerge, "bound of merge: the merge case's reads and writes made directly, no changeset read, nothing decided"},
	{"export", caseExport, "Engine.Export of a delta of N single-field changes of t to a file, against the same edits as plain UPDATEs"},
	{"memory", caseMemory, "peak RSS exporting, then (another process) applying, N changes of t (1,000,000; -quick 100,000)"},
	{"first-sync", caseFirstSync, "snapshot Export + lww.Apply on an empty phone: N releases, 2 tracks and a tag each"},
	{"lan-first-sync", caseLANFirstSync, "the first sync over the lan service on loopback TLS (pairing by code excluded), against the streamed first sync in process"},
	{"lan-phones", caseLANPhones, "5 phones sync 1,000 changes each at once over loopback TLS, against one phone syncing 5,000"},
	{"lan-round", caseLANRound, "rounds of one changed field each way over loopback TLS: median and p99 latency"},
	{"verify", caseVerify, "lww.Verify on the first-sync case's desktop (N releases, 2 tracks and a tag each), against one read of every row joined to its existence register"},
	{"adopt", caseAdopt, "capture.Open adopting a collection from before capture (N releases, 2 tracks and a tag each), against its plain bulk load; then the first sync"},
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
