package lww

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// FuzzApply feeds arbitrary bytes to Apply on a phone paired with the
// origin of the seed changesets. Whatever the input, Apply must not panic;
// when it refuses the input, the database must be exactly as before; and
// the foreign keys and the applying flag must hold either way.
func FuzzApply(f *testing.F) {
	phone, desk := newDevice(f, "phone", schema.Mobile), newDevice(f, "desktop", schema.Desktop)
	pairAll(f, phone, desk)
	desk.exec(f, seedRelease)
	peer := desk.e.NodeID()
	now := int64(capture.HLCAt(time.Now()))
	f.Add(desk.export(f, phone, true))
	desk.exec(f, `UPDATE discovery_releases SET notes = 'n2'; DELETE FROM discovery_tracks WHERE id = 't2'`)
	f.Add(desk.export(f, phone, false))
	h := changeset.Header{Origin: peer}
	f.Add(craft(f, h, fieldRec("discovery_releases", "r1", "notes", "x", now, peer), fieldRec("crates", "k", "name", "y", now, peer)))
	f.Add(craft(f, h, changeset.Record{Kind: changeset.Row, Table: "discovery_release_tags", Entity: "'r1','g2'", Alive: true,
		Row: []changeset.Column{{Name: "release_id", Value: "r1"}, {Name: "tag_id", Value: "g2"}}, HLC: now, Origin: peer}))
	f.Add(craft(f, h, changeset.Record{Kind: changeset.Row, Table: "discovery_releases", Entity: "r1", HLC: now, Origin: peer}))
	// Identity merges: a release at r1's URL under another id, which
	// merges into r1, and aliases, good and bad.
	r9 := changeset.Record{Kind: changeset.Row, Table: "discovery_releases", Entity: "r9", Alive: true, HLC: now, Origin: peer,
		Row: []changeset.Column{{Name: "id", Value: "r9"}, {Name: "url", Value: "https://x/r1"}, {Name: "title", Value: "T"},
			{Name: "date_added", Value: "d"}, {Name: "date_modified", Value: "d"}}}
	f.Add(craft(f, h, r9, changeset.Record{Kind: changeset.Row, Table: "discovery_tracks", Entity: "t9", Alive: true, HLC: now, Origin: peer,
		Row: []changeset.Column{{Name: "id", Value: "t9"}, {Name: "release_id", Value: "r9"}, {Name: "name", Value: "n"}, {Name: "position", Value: int64(1)}}}))
	f.Add(craft(f, h, fieldRec("discovery_releases", "r9", schema.AliasField, "r1", now, peer), r9))
	f.Add(craft(f, h, fieldRec("tags", "g2", schema.AliasField, "g1", now, peer), fieldRec("tags", "g1", schema.AliasField, "g0", now, peer)))
	f.Add(craft(f, h, fieldRec("discovery_releases", "r0", schema.AliasField, "r1", now, peer)))
	c := phone.e.Conn()
	f.Fuzz(func(t *testing.T, data []byte) {
		before := sqlitetest.Dump(t, c)
		_, err := Apply(context.Background(), phone.e, bytes.NewReader(data), Options{})
		if err != nil {
			if after := sqlitetest.Dump(t, c); after != before {
				t.Fatalf("refused input (%v) changed the database:\n%s", err, diffLines(before, after))
			}
			if errors.Is(err, errDryRun) {
				t.Fatal("internal error leaked")
			}
		}
		if rows := sqlitetest.Rows(t, c, `PRAGMA foreign_key_check`); len(rows) != 0 {
			t.Fatalf("foreign keys broken: %v", rows)
		}
		if sqlitetest.Int(t, c, `SELECT applying IS NULL FROM sync_state`) != 1 {
			t.Fatal("applying flag left set")
		}
	})
}
