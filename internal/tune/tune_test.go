package tune

import (
	"strconv"
	"testing"

	"github.com/capture-sync/capture/internal/sqlitetest"
)

func TestLargerCache(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before int64
		kib    int
		during int64
	}{
		{"raised from the default", -2000, 16384, -16384},
		{"already larger in KiB", -32768, 16384, -32768},
		{"already larger in pages", 8192, 16384, 8192}, // 8192 pages of 4 KiB = 32 MiB
		{"off", -2000, -1, -2000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := sqlitetest.Open(t, "cache")
			sqlitetest.Exec(t, conn, `PRAGMA page_size = 4096; CREATE TABLE x (y)`)
			sqlitetest.Exec(t, conn, `PRAGMA cache_size = `+strconv.FormatInt(tc.before, 10))
			restore := LargerCache(conn, tc.kib)
			if got := sqlitetest.Int(t, conn, `PRAGMA cache_size`); got != tc.during {
				t.Errorf("cache_size during = %d, want %d", got, tc.during)
			}
			restore()
			if got := sqlitetest.Int(t, conn, `PRAGMA cache_size`); got != tc.before {
				t.Errorf("cache_size after = %d, want %d", got, tc.before)
			}
		})
	}
}

func TestMemoryJournals(t *testing.T) {
	for _, tc := range []struct {
		name      string
		tempTable bool
		during    int64
	}{{"set and restored", false, 2}, {"left alone with a temporary table", true, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			conn := sqlitetest.Open(t, "journals")
			if tc.tempTable {
				sqlitetest.Exec(t, conn, `CREATE TEMP TABLE scratch (x)`)
			}
			restore := MemoryJournals(conn)
			if got := sqlitetest.Int(t, conn, `PRAGMA temp_store`); got != tc.during {
				t.Errorf("temp_store during = %d, want %d", got, tc.during)
			}
			restore()
			if got := sqlitetest.Int(t, conn, `PRAGMA temp_store`); got != 0 {
				t.Errorf("temp_store after = %d, want 0", got)
			}
		})
	}
}
