package capture

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

func TestHLCEncoding(t *testing.T) {
	at := time.Date(2026, 11, 25, 15, 4, 5, 123e6, time.UTC)
	tests := []struct {
		h    HLC
		ms   int64
		c    uint16
		text string
	}{
		{MakeHLC(at.UnixMilli(), 7), at.UnixMilli(), 7, "2026-11-25T15:04:05.123Z+0007"},
		{MakeHLC(at.UnixMilli(), 65535), at.UnixMilli(), 65535, "2026-11-25T15:04:05.123Z+65535"},
		{MakeHLC(0, 0), 0, 0, "1970-01-01T00:00:00.000Z+0000"},
		{HLCAt(at) + 1, at.UnixMilli(), 1, "2026-11-25T15:04:05.123Z+0001"},
	}
	for _, tc := range tests {
		if tc.h.Millis() != tc.ms || tc.h.Counter() != tc.c || tc.h.String() != tc.text {
			t.Errorf("%d: got %d %d %s, want %d %d %s", tc.h, tc.h.Millis(), tc.h.Counter(), tc.h, tc.ms, tc.c, tc.text)
		}
		for _, in := range []string{tc.text, tc.h.String()} {
			if back, err := ParseHLC(in); err != nil || back != tc.h {
				t.Errorf("ParseHLC(%q) = %d, %v; want %d", in, back, err, tc.h)
			}
		}
	}
	if !MakeHLC(5, 0).Time().Equal(time.UnixMilli(5)) {
		t.Error("Time")
	}
	// The counter overflows into the milliseconds: still increasing.
	if h := MakeHLC(10, 65535) + 1; h.Millis() != 11 || h.Counter() != 0 {
		t.Errorf("overflow: %s", h)
	}
	for _, bad := range []string{"", "x", "2026-11-25T15:04:05Z", "2026-11-25T15:04:05Z+70000", "-5", "nope+1"} {
		if _, err := ParseHLC(bad); !errors.Is(err, ErrBadHLC) {
			t.Errorf("ParseHLC(%q): %v", bad, err)
		}
	}
}

func TestStampOrder(t *testing.T) {
	a, b := Stamp{5, "aa"}, Stamp{5, "bb"}
	if !a.Less(b) || b.Less(a) || a.Less(a) || !(Stamp{4, "zz"}).Less(a) {
		t.Error("order is (HLC, node)")
	}
}

func TestReceive(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	local := HLCAt(now)
	tests := []struct {
		name        string
		last, rem   HLC
		want        HLC
		wantErr     error
		nowOverride time.Time
	}{
		{"remote behind", local + 5, local - 100, local + 5, nil, now},
		{"remote ahead within bound", local, HLCAt(now.Add(time.Minute)) + 3, HLCAt(now.Add(time.Minute)) + 3, nil, now},
		{"remote too far ahead", local, HLCAt(now.Add(6 * time.Minute)), local, ErrClockDrift, now},
		{"wall clock ahead of both", local, local, HLCAt(now.Add(time.Second)), nil, now.Add(time.Second)},
	}
	for _, tc := range tests {
		got, err := Receive(tc.last, tc.rem, tc.nowOverride, 5*time.Minute)
		if !errors.Is(err, tc.wantErr) || got != tc.want {
			t.Errorf("%s: got %s, %v; want %s, %v", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
}

// stamps returns the stamps of the change log in sequence order.
func stamps(t testing.TB, e *Engine) []HLC {
	t.Helper()
	var out []HLC
	for c, err := range e.Changes(context.Background(), Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c.HLC)
	}
	return out
}

func checkIncreasing(t *testing.T, hs []HLC, what string) {
	t.Helper()
	for i := 1; i < len(hs); i++ {
		if hs[i] <= hs[i-1] {
			t.Fatalf("%s: stamp %d (%s) is not above stamp %d (%s)", what, i, hs[i], i-1, hs[i-1])
		}
	}
}

// TestTriggerClockIsMonotonic: 100,000 captured edits get strictly increasing
// stamps, across a reopen and with the wall clock an hour behind the last
// stamp.
func TestTriggerClockIsMonotonic(t *testing.T) {
	e, path := openEngine(t, schema.Mobile)
	c := e.Conn()
	sqlitetest.Exec(t, c, `INSERT INTO settings VALUES ('k', '0')`)
	stmt, _, err := c.Prepare(`UPDATE settings SET value = ? WHERE key = 'k'`)
	if err != nil {
		t.Fatal(err)
	}
	sqlitetest.Exec(t, c, "BEGIN")
	for i := 1; i <= 100_000; i++ {
		if err := stmt.BindInt(1, i); err != nil {
			t.Fatal(err)
		}
		if err := stmt.Exec(); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 0 {
			sqlitetest.Exec(t, c, "COMMIT; BEGIN")
		}
	}
	sqlitetest.Exec(t, c, "COMMIT")
	stmt.Close()
	hs := stamps(t, e)
	if len(hs) != 100_001 {
		t.Fatalf("%d changes, want 100001", len(hs))
	}
	checkIncreasing(t, hs, "100,000 edits")
	// Stamps follow the wall clock: at most one counter step per change
	// ahead of it.
	if wall := HLCAt(time.Now().Add(time.Second)); hs[len(hs)-1] > wall+HLC(len(hs)) {
		t.Errorf("stamps ran ahead of the wall clock: %s", hs[len(hs)-1])
	}

	// Reopen: the clock continues above the last stamp.
	last := hs[len(hs)-1]
	e.Close()
	e2, err := Open(context.Background(), path, Options{Profile: schema.Mobile})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	sqlitetest.Exec(t, e2.Conn(), `UPDATE settings SET value = 'reopened' WHERE key = 'k'`)
	hs = stamps(t, e2)
	if hs[len(hs)-1] <= last {
		t.Fatalf("after reopen: %s is not above %s", hs[len(hs)-1], last)
	}

	// The wall clock an hour behind the last stamp: a clock floor an hour
	// ahead of now is what a device sees after its clock is set back an
	// hour. Stamps keep increasing, one counter step at a time.
	ahead := HLCAt(time.Now().Add(time.Hour))
	sqlitetest.Exec(t, e2.Conn(), `UPDATE sync_state SET hlc = `+itoa(int64(ahead)))
	for i := 0; i < 3; i++ {
		sqlitetest.Exec(t, e2.Conn(), `UPDATE settings SET value = 'back `+itoa(int64(i))+`' WHERE key = 'k'`)
	}
	hs = stamps(t, e2)
	checkIncreasing(t, hs, "clock set back")
	if got := hs[len(hs)-3:]; got[0] != ahead+1 || got[2] != ahead+3 {
		t.Errorf("with the wall clock behind, stamps %v should continue from %s", got, ahead)
	}
}
