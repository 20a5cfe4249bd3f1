package schema

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/ncruces/go-sqlite3"
)

var sharedTables = []string{
	"discovery_releases", "discovery_tracks", "discovery_release_tags", "tags",
	"tag_categories", "playlists", "playlist_discovery_releases", "settings",
	"discovery_stream_cache", "discovery_sc_client_id_cache", "discovery_audio_cache",
}

var syncTables = []string{
	"schema_version", "schema_checksums", "sync_guard", "sync_state",
	"local_changes", "capture_registers", "capture_entities", "capture_keyed_registers", "paired_devices", "parked_values", "retired_devices",
	"entity_aliases", "member_values", "lan_identity",
}

func mustMigrate(t *testing.T, conn *sqlite3.Conn, p Profile) Result {
	t.Helper()
	res, err := Migrate(context.Background(), conn, p)
	if err != nil {
		t.Fatalf("migrate %s: %v", p, err)
	}
	return res
}

func TestFreshDatabaseMigratesOnceInEachProfile(t *testing.T) {
	for _, p := range []Profile{Desktop, Mobile} {
		t.Run(string(p), func(t *testing.T) {
			conn := sqlitetest.Open(t, "fresh.db")
			res := mustMigrate(t, conn, p)
			if res.From != 0 || res.To != Latest() {
				t.Fatalf("got %+v, want 0 -> %d", res, Latest())
			}
			before := sqlitetest.Dump(t, conn)
			changes := conn.TotalChanges()
			res = mustMigrate(t, conn, p)
			if res.From != Latest() || res.To != Latest() {
				t.Fatalf("second run: got %+v", res)
			}
			if conn.TotalChanges() != changes {
				t.Errorf("second run wrote %d rows", conn.TotalChanges()-changes)
			}
			if after := sqlitetest.Dump(t, conn); after != before {
				t.Errorf("second run changed the database")
			}
			got := sqlitetest.Table(t, conn, "sync_state", "profile", "schema_version")
			if want := `"` + string(p) + `" | ` + strconv.Itoa(Latest()); got != want {
				t.Errorf("sync_state: got %s, want %s", got, want)
			}
			if n := sqlitetest.Int(t, conn, `SELECT count(*) FROM schema_checksums`); n != int64(Latest()) {
				t.Errorf("%d checksums recorded, want %d", n, Latest())
			}
		})
	}
}

func TestMobileHoldsSharedAndSyncTablesOnly(t *testing.T) {
	conn := sqlitetest.Open(t, "mobile.db")
	mustMigrate(t, conn, Mobile)
	tables := sqlitetest.Tables(t, conn)
	for _, want := range append(slices.Clone(sharedTables), syncTables...) {
		if !slices.Contains(tables, want) {
			t.Errorf("mobile database lacks %s", want)
		}
	}
	for _, bad := range DesktopOnlyTables {
		if slices.Contains(tables, bad) {
			t.Errorf("mobile database has desktop-only table %s", bad)
		}
	}
	if len(tables) != len(sharedTables)+len(syncTables) {
		t.Errorf("mobile tables: %v", tables)
	}
	// No index of a desktop-only table either, and migration 2 applied.
	for _, r := range sqlitetest.Rows(t, conn, `SELECT tbl_name FROM sqlite_schema WHERE type = 'index'`) {
		for _, bad := range DesktopOnlyTables {
			if strings.Trim(r[0], `"`) == bad {
				t.Errorf("index on desktop-only table %s", bad)
			}
		}
	}
	if n := sqlitetest.Int(t, conn, `SELECT count(*) FROM pragma_table_info('discovery_tracks') WHERE name = 'is_liked'`); n != 1 {
		t.Error("migration 2 (discovery_tracks.is_liked) not applied on mobile")
	}
	checkIntegrity(t, conn)
}

func checkIntegrity(t *testing.T, conn *sqlite3.Conn) {
	t.Helper()
	if rows := sqlitetest.Rows(t, conn, `PRAGMA foreign_key_check`); len(rows) != 0 {
		t.Errorf("foreign_key_check: %v", rows)
	}
	if got := sqlitetest.Rows(t, conn, `PRAGMA integrity_check`); len(got) != 1 || got[0][0] != `"ok"` {
		t.Errorf("integrity_check: %v", got)
	}
}

// desktopV2 builds a database the way the desktop app has it.
func desktopV2(t *testing.T) *sqlite3.Conn {
	t.Helper()
	return sqlitetest.DesktopV2(t, filepath.Join(t.TempDir(), "desktop.db"))
}

func TestDesktopV2UpgradesInPlace(t *testing.T) {
	conn := desktopV2(t)
	oldTables := sqlitetest.Tables(t, conn)
	schemaBefore := sqlitetest.Rows(t, conn, `SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name`)
	rowsBefore := map[string]string{}
	for _, name := range oldTables {
		rowsBefore[name] = sqlitetest.Table(t, conn, name)
	}

	res := mustMigrate(t, conn, Desktop)
	if res.From != 2 || res.To != Latest() {
		t.Fatalf("got %+v, want 2 -> %d", res, Latest())
	}
	after := map[string][]string{}
	for _, r := range sqlitetest.Rows(t, conn, `SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name`) {
		after[r[1]] = r
	}
	for _, r := range schemaBefore {
		if got := after[r[1]]; !slices.Equal(got, r) {
			t.Errorf("definition of %s changed:\nbefore %v\nafter  %v", r[1], r, got)
		}
	}
	for _, name := range oldTables {
		got := sqlitetest.Table(t, conn, name)
		if name == "schema_version" {
			// sqlitetest.Table sorts rows as text: 10 comes after 1.
			if want := strings.Replace(rowsBefore[name], "1\n", "1\n10\n11\n12\n13\n", 1) + "\n3\n4\n5\n6\n7\n8\n9"; got != want {
				t.Errorf("schema_version: got %q, want %q", got, want)
			}
			continue
		}
		if got != rowsBefore[name] {
			t.Errorf("rows of %s changed:\nbefore %s\nafter  %s", name, rowsBefore[name], got)
		}
	}
	// The checksums of the migrations applied before checksums existed are
	// recorded on the way.
	if n := sqlitetest.Int(t, conn, `SELECT count(*) FROM schema_checksums`); n != int64(Latest()) {
		t.Errorf("%d checksums recorded, want %d", n, Latest())
	}
	checkIntegrity(t, conn)
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		profile Profile
		setup   string
		want    error
	}{
		{"newer than the code", Desktop, `INSERT INTO schema_version VALUES (99)`, ErrTooNew},
		{"edited migration", Desktop, `UPDATE schema_checksums SET checksum = 'x' WHERE version = 1`, ErrChecksum},
		{"other profile", Mobile, ``, ErrProfile},
		{"unknown profile", Profile("tablet"), ``, ErrUnknownProfile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := sqlitetest.Open(t, "x.db")
			mustMigrate(t, conn, Desktop)
			sqlitetest.Exec(t, conn, tc.setup)
			before := sqlitetest.Dump(t, conn)
			_, err := Migrate(ctx, conn, tc.profile)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if sqlitetest.Dump(t, conn) != before {
				t.Error("a refused migration changed the database")
			}
		})
	}
}

func TestMobileRefusesDesktopDatabase(t *testing.T) {
	conn := desktopV2(t)
	before := sqlitetest.Dump(t, conn)
	if _, err := Migrate(context.Background(), conn, Mobile); !errors.Is(err, ErrProfile) {
		t.Fatalf("got %v, want ErrProfile", err)
	}
	if sqlitetest.Dump(t, conn) != before {
		t.Error("refused migration changed the database")
	}
}

func TestFailedMigrationLeavesPreviousVersion(t *testing.T) {
	list, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	bad := Migration{Version: len(list) + 1, Name: "bad.sql", SQL: "broken", Statements: []Statement{
		{SQL: `CREATE TABLE half_applied (x)`, Table: "half_applied"},
		{SQL: `INSERT INTO half_applied VALUES (1)`, Table: "half_applied"},
		{SQL: `INSERT INTO no_such_table VALUES (1)`, Table: "no_such_table"},
	}}
	conn := sqlitetest.Open(t, "fail.db")
	mustMigrate(t, conn, Desktop)
	before := sqlitetest.Dump(t, conn)
	res, err := migrate(context.Background(), conn, Desktop, append(list, bad))
	if err == nil || !strings.Contains(err.Error(), "no_such_table") {
		t.Fatalf("got %v, want the failing statement's error", err)
	}
	if res.To != len(list) {
		t.Errorf("result says version %d, want %d", res.To, len(list))
	}
	if v, _ := Version(conn); v != len(list) {
		t.Errorf("database at version %d, want %d", v, len(list))
	}
	if sqlitetest.Dump(t, conn) != before {
		t.Error("failed migration left part of itself behind")
	}
	// A fixed migration is then applied by the next run.
	bad.Statements = bad.Statements[:2]
	if _, err := migrate(context.Background(), conn, Desktop, append(list, bad)); err != nil {
		t.Fatal(err)
	}
	if n := sqlitetest.Int(t, conn, `SELECT count(*) FROM half_applied`); n != 1 {
		t.Errorf("retried migration: %d rows", n)
	}
}

func TestCancelledContextStopsBeforeWriting(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	conn := sqlitetest.Open(t, "cancel.db")
	if _, err := Migrate(ctx, conn, Desktop); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if v, _ := Version(conn); v != 0 {
		t.Errorf("version %d after a cancelled migration", v)
	}
}
