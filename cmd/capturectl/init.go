package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

func init() {
	register("init", "create or upgrade a database for a profile and install the triggers", runInit)
}

// initReport is what init prints.
type initReport struct {
	Database        string       `json:"database"`
	Profile         string       `json:"profile"`
	SchemaVersion   int          `json:"schema_version"`
	PreviousVersion int          `json:"previous_version"`
	Created         bool         `json:"created"`
	NodeID          string       `json:"node_id"`
	Fingerprint     string       `json:"fingerprint"`
	Triggers        int          `json:"triggers"`
	Tables          []tableEntry `json:"tables"`
}

// tableEntry is one table of the database and whether it syncs.
type tableEntry struct {
	Name string `json:"name"`
	Sync bool   `json:"sync"`
	// Role says why a table does not sync: engine, cache, desktop-only or
	// local.
	Role   string   `json:"role,omitempty"`
	Key    []string `json:"key,omitempty"`
	Fields []string `json:"fields,omitempty"`
}

func runInit(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "init", "--db PATH --profile desktop|mobile [--json]",
		"capturectl init --db ./mobile.db --profile mobile").withJSON()
	profile := f.String("profile", "", "`profile`: desktop or mobile (required)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	p, err := schema.ParseProfile(*profile)
	if err != nil {
		return usageErr(err, "--profile is desktop or mobile")
	}
	prev, existed, err := peekVersion(f.db)
	if err != nil {
		return err
	}
	eng, err := capture.Open(ctx, f.db, capture.Options{Profile: p, Logger: e.log})
	if err != nil {
		if errors.Is(err, schema.ErrProfile) {
			return withHint(err, profileHint(f.db))
		}
		return openHint(err, f.db, p)
	}
	defer closeEngine(eng, &err)

	version, err := schema.Version(eng.Conn())
	if err != nil {
		return fmt.Errorf("read the schema version of %s: %w", f.db, err)
	}
	rep := initReport{Database: f.db, Profile: string(eng.Profile()), SchemaVersion: version,
		PreviousVersion: prev, Created: !existed, NodeID: eng.NodeID(), Fingerprint: eng.Fingerprint(),
		Triggers: len(triggers.GenerateAll(eng.Tables()))}
	names, err := listTables(eng.Conn())
	if err != nil {
		return fmt.Errorf("list the tables of %s: %w", f.db, err)
	}
	for _, n := range names {
		rep.Tables = append(rep.Tables, describeTable(eng, n))
	}
	if f.json {
		return writeJSON(e.stdout, rep)
	}
	return printInit(e, rep)
}

// printInit writes init's report as a table.
func printInit(e *env, rep initReport) error {
	state := "up to date"
	switch {
	case rep.Created:
		state = "new database"
	case rep.PreviousVersion != rep.SchemaVersion:
		state = fmt.Sprintf("migrated from %d", rep.PreviousVersion)
	}
	tw := newTable(e.stdout)
	row(tw, "database", rep.Database)
	row(tw, "profile", rep.Profile)
	row(tw, "schema", fmt.Sprintf("version %d (%s)", rep.SchemaVersion, state))
	row(tw, "node id", rep.NodeID)
	row(tw, "fingerprint", rep.Fingerprint)
	row(tw, "triggers", fmt.Sprintf("%d installed", rep.Triggers))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	tw = newTable(e.stdout)
	row(tw, "TABLE", "SYNC", "KEY", "FIELDS")
	for _, t := range rep.Tables {
		sync, fields := "yes", strconv.Itoa(len(t.Fields))
		if !t.Sync {
			sync, fields = "no ("+t.Role+")", "-"
		}
		row(tw, t.Name, sync, orDash(strings.Join(t.Key, ",")), fields)
	}
	return tw.Flush()
}

// describeTable says whether table name syncs, with its key and tracked
// fields, or why not.
func describeTable(eng *capture.Engine, name string) tableEntry {
	t, ok := eng.Table(name)
	if !ok {
		role := "local"
		switch {
		case slices.Contains(schema.EngineTables, name):
			role = "engine"
		case slices.Contains(schema.CacheTables, name):
			role = "cache"
		case slices.Contains(schema.DesktopOnlyTables, name):
			role = "desktop-only"
		}
		return tableEntry{Name: name, Role: role}
	}
	te := tableEntry{Name: name, Sync: true, Key: []string{}, Fields: []string{}}
	for _, c := range t.Key {
		te.Key = append(te.Key, c.Name)
	}
	for _, c := range t.Columns {
		te.Fields = append(te.Fields, c.Name)
	}
	return te
}

// peekVersion returns the schema version of the database at path before
// init touches it, and whether the file exists.
func peekVersion(path string) (int, bool, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	} else if err != nil {
		return 0, false, fmt.Errorf("database %s: %w", path, err)
	}
	conn, err := sqlite3.OpenFlags(path, sqlite3.OPEN_READONLY)
	if err != nil {
		return 0, true, fmt.Errorf("open %s read-only: %w", path, err)
	}
	defer conn.Close()
	v, err := schema.Version(conn)
	if err != nil {
		return 0, true, fmt.Errorf("read the schema version of %s: %w", path, err)
	}
	return v, true, nil
}

// profileHint says which profile a database refused for another one has.
func profileHint(path string) string {
	if p, err := readProfile(path); err == nil {
		return fmt.Sprintf("%s is a %s database: run capturectl init --db %s --profile %s", path, p, shellQuote(path), p)
	}
	return fmt.Sprintf("%s holds the desktop app's library tables: run capturectl init --db %s --profile desktop",
		path, shellQuote(path))
}
