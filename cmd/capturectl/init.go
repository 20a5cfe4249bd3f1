package main

import (
	"context"
	"fmt"

	"github.com/capture-sync/capture/schema"
)

func init() {
	register("init", "create or upgrade a database for a profile", runInit)
}

func runInit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "init", "--db PATH --profile desktop|mobile",
		"capturectl init --db ./mobile.db --profile mobile")
	db := fs.String("db", "", "database file (created if missing)")
	profile := fs.String("profile", "", "desktop or mobile")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *db == "" || *profile == "" {
		fs.Usage()
		return errUsage
	}
	p, err := schema.ParseProfile(*profile)
	if err != nil {
		return err
	}
	conn, err := openRW(*db)
	if err != nil {
		return err
	}
	defer conn.Close()
	res, err := schema.Migrate(ctx, conn, p)
	if err != nil {
		return fmt.Errorf("%s: %w", *db, err)
	}
	tables, err := listTables(conn)
	if err != nil {
		return err
	}
	if res.From == res.To {
		fmt.Fprintf(e.stdout, "%s: %s profile, schema version %d (up to date)\n", *db, p, res.To)
	} else {
		fmt.Fprintf(e.stdout, "%s: %s profile, schema version %d (migrated from %d)\n", *db, p, res.To, res.From)
	}
	fmt.Fprintf(e.stdout, "tables (%d):\n", len(tables))
	for _, t := range tables {
		fmt.Fprintf(e.stdout, "  %s\n", t)
	}
	return nil
}
