package main

import (
	"strings"
	"testing"
	"time"

	"github.com/capture-sync/capture/lan"
)

// TestSyncProgressLines: a short round shows nothing; a long one a line a
// second and a last one.
func TestSyncProgressLines(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reports []lan.Progress
		want    string
	}{
		{"short", []lan.Progress{{Sent: 10, Received: 20, Elapsed: 300 * time.Millisecond, Done: true}}, ""},
		{"long", []lan.Progress{
			{Sent: 5 << 20, Received: 0, Elapsed: time.Second},
			{Sent: 9 << 20, Received: 3 << 10, Elapsed: 2 * time.Second},
			{Sent: 9 << 20, Received: 48 << 20, Elapsed: 2500 * time.Millisecond, Done: true},
		}, "syncing: 1s, sent 5.0 MiB, received 0 B (compressed)\n" +
			"syncing: 2s, sent 9.0 MiB, received 3.0 KiB (compressed)\n" +
			"done: 2s, sent 9.0 MiB, received 48.0 MiB (compressed)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			show := progressTo(&b)
			for _, p := range tc.reports {
				show(p)
			}
			if b.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}
