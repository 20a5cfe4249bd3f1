package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
)

// editTarget is the table the single-field edits of a merge-side case go
// to: its name, key column and the columns edited.
type editTarget struct {
	table, key string
	cols       []string
}

var (
	// peerTarget: the peer shape's t, every column edited.
	peerTarget = editTarget{table: "t", key: "id", cols: []string{"a", "b", "c", "d", "e"}}
	// releaseTarget: the app's discovery_releases, the fields a user edits.
	releaseTarget = editTarget{table: "discovery_releases", key: "id", cols: []string{"notes", "label", "title"}}
)

// fieldEdit is one single-field edit: the row's key, the column (an index
// into the target's cols) and the new value.
type fieldEdit struct {
	key any // int64 (t) or string (discovery_releases)
	col int
	val any
}

// loserShare: one edit in loserShare of device A's is edited again, later,
// on device B, so that A's write loses there.
const loserShare = 4

// splitLosers returns the edits B makes too (every loserShare-th of A's, in
// A's order, so they fall on random rows), with B's values.
func splitLosers(aEdits []fieldEdit, value func(e fieldEdit) any) []fieldEdit {
	var b []fieldEdit
	for k, e := range aEdits {
		if k%loserShare == 0 {
			b = append(b, fieldEdit{key: e.key, col: e.col, val: value(e)})
		}
	}
	return b
}

// peerEdits returns device A's n single-field edits of t (rows 1..n, each
// once, in random order, a random column each) and device B's later edits
// of one in four of the same fields. Deterministic.
func peerEdits(n int) (aEdits, bEdits []fieldEdit) {
	rng := rand.New(rand.NewPCG(0x6d65726765, uint64(n)))
	aEdits = make([]fieldEdit, n)
	for k, p := range rng.Perm(n) {
		i := int64(p + 1)
		col := rng.IntN(len(peerTarget.cols))
		aEdits[k] = fieldEdit{key: i, col: col, val: peerValue(col, i, "A")}
	}
	bEdits = splitLosers(aEdits, func(e fieldEdit) any { return peerValue(e.col, e.key.(int64), "B") })
	return aEdits, bEdits
}

// peerEditsRunSh returns run.sh's merge: a new value of column a for rows
// 1..n, in id order, none of them losing.
func peerEditsRunSh(n int) []fieldEdit {
	out := make([]fieldEdit, n)
	for k := range out {
		i := int64(k + 1)
		out[k] = fieldEdit{key: i, col: 0, val: peerValue(0, i, "A")}
	}
	return out
}

// peerEditsInOrder returns n single-field edits of t, rows 1..n in order,
// the columns in turn: the memory case's, where the order does not matter
// and in-order edits build the 1,000,000-row databases faster.
func peerEditsInOrder(n int) []fieldEdit {
	out := make([]fieldEdit, n)
	for k := range out {
		i := int64(k + 1)
		col := k % len(peerTarget.cols)
		out[k] = fieldEdit{key: i, col: col, val: peerValue(col, i, "A")}
	}
	return out
}

// peerValue is the value device side writes into column col of row i,
// distinct from run.sh's initial values and from the other side's.
func peerValue(col int, i int64, side string) any {
	switch col {
	case 0:
		return fmt.Sprintf("a-merged-%s-%d-%s", side, i, strconv.FormatUint(uint64(uint32(uint64(i)*40503)), 36))
	case 1:
		return fmt.Sprintf("b-merged-%s-%d-lorem-ipsum", side, i)
	case 2:
		if side == "A" {
			return i*7 + 1
		}
		return i*7 + 2
	case 3:
		if side == "A" {
			return float64(i)*1.25 + 0.5
		}
		return float64(i)*1.25 + 0.75
	default:
		return fmt.Sprintf("e-merged-%s-some-longer-text-value-%d-dolor-sit-amet", side, i)
	}
}

// releaseEdits returns device A's single-field edits of the releases (each
// release once, in random order, one of notes, label and title) and device
// B's later edits of one in four of the same fields.
func releaseEdits(rows []release) (aEdits, bEdits []fieldEdit) {
	rng := rand.New(rand.NewPCG(0x6170706d, uint64(len(rows))))
	aEdits = make([]fieldEdit, len(rows))
	for k, p := range rng.Perm(len(rows)) {
		col := rng.IntN(len(releaseTarget.cols))
		aEdits[k] = fieldEdit{key: rows[p].id, col: col, val: releaseValue(col, uint64(p+1), "A")}
	}
	bEdits = splitLosers(aEdits, func(e fieldEdit) any { return e.val.(string) + " [B, later]" })
	return aEdits, bEdits
}

// releaseValue is a notes, label or title text device side writes.
func releaseValue(col int, i uint64, side string) string {
	h := mix(i*31 + uint64(col))
	switch col {
	case 0:
		return fmt.Sprintf("%s: %s, %s", side, noteWords[h%8], noteWords[(h>>8)%8])
	case 1:
		return fmt.Sprintf("%s %s Records (%s)", nouns[(h>>16)%16], adjectives[(h>>20)%16], side)
	default:
		return fmt.Sprintf("%s %s Vol. %d (%s edit)", adjectives[(h>>24)%16], nouns[(h>>28)%16], h>>32%40+1, side)
	}
}

// checkEdits fails unless every field the edits touched holds the value of
// the last edit of it (later lists override earlier ones), read back by key.
func checkEdits(conn *sqlite3.Conn, tgt editTarget, lists ...[]fieldEdit) error {
	type field struct {
		key any
		col int
	}
	want := map[field]any{}
	var order []field
	for _, edits := range lists {
		for _, e := range edits {
			f := field{e.key, e.col}
			if _, ok := want[f]; !ok {
				order = append(order, f)
			}
			want[f] = e.val
		}
	}
	stmts := make([]*sqlite3.Stmt, len(tgt.cols))
	for k, c := range tgt.cols {
		s, _, err := conn.Prepare(fmt.Sprintf(`SELECT %s FROM %s WHERE %s = ?`, c, tgt.table, tgt.key))
		if err != nil {
			return err
		}
		defer s.Close()
		stmts[k] = s
	}
	bad := 0
	var first string
	for _, f := range order {
		s := stmts[f.col]
		if err := capture.BindValue(s, 1, f.key); err != nil {
			return err
		}
		var got any
		if s.Step() {
			got = capture.ColumnValue(s, 0)
		} else if err := s.Err(); err != nil {
			return err
		} else {
			got = "<no row>"
		}
		if err := s.Reset(); err != nil {
			return err
		}
		if got != want[f] {
			if bad == 0 {
				first = fmt.Sprintf("%s %v.%s = %v, want %v", tgt.table, f.key, tgt.cols[f.col], got, want[f])
			}
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d edited fields hold the wrong value (first: %s)", bad, len(order), first)
	}
	return nil
}

// discoveryTags is the number of tags of the first-sync case (one
// category); each release is tagged with one of them.
const discoveryTags = 50

// tagID and categoryID are the first-sync case's tag and category ids.
func tagID(k int) string { return uuidLike(uint64(k+1) | 1<<50) }

const categoryID = "c0ffee00-0000-4000-8000-000000000001"

// insertTags inserts the tag category and discoveryTags tags.
func insertTags(conn *sqlite3.Conn) (time.Duration, error) {
	if err := conn.Exec(`INSERT INTO tag_categories (id, name, sort_order) VALUES ('` + categoryID + `', 'Mood', 1)`); err != nil {
		return 0, err
	}
	return batched(conn, `INSERT INTO tags (id, category_id, name, color, sort_order) VALUES (?, ?, ?, ?, ?)`, discoveryTags,
		func(s *sqlite3.Stmt, i int) error {
			return firstErr(s.BindText(1, tagID(i)), s.BindText(2, categoryID),
				s.BindText(3, fmt.Sprintf("%s %d", adjectives[i%16], i)), s.BindText(4, "#6366f1"), s.BindInt64(5, int64(i)))
		})
}

// insertDiscoveryTracks inserts two tracks for each release.
func insertDiscoveryTracks(conn *sqlite3.Conn, rows []release) (time.Duration, error) {
	return batched(conn, `INSERT INTO discovery_tracks (id, release_id, name, position, duration_ms, video_id) VALUES (?, ?, ?, ?, ?, ?)`,
		2*len(rows), func(s *sqlite3.Stmt, i int) error {
			r, pos := &rows[i/2], int64(i%2+1)
			h := mix(uint64(i) + 1<<52)
			var video error
			if h%3 == 0 {
				video = s.BindText(6, fmt.Sprintf("yt%09d", h%1_000_000_000))
			} else {
				video = s.BindNull(6)
			}
			return firstErr(s.BindText(1, uuidLike(uint64(i+1)|1<<52)), s.BindText(2, r.id),
				s.BindText(3, fmt.Sprintf("%s %s", adjectives[h%16], nouns[(h>>4)%16])), s.BindInt64(4, pos),
				s.BindInt64(5, int64(120_000+h%300_000)), video)
		})
}

// insertReleaseTags tags each release with one tag.
func insertReleaseTags(conn *sqlite3.Conn, rows []release) (time.Duration, error) {
	return batched(conn, `INSERT INTO discovery_release_tags (release_id, tag_id) VALUES (?, ?)`, len(rows),
		func(s *sqlite3.Stmt, i int) error {
			return firstErr(s.BindText(1, rows[i].id), s.BindText(2, tagID(i%discoveryTags)))
		})
}
