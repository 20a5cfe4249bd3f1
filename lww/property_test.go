package lww

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

var (
	propSeed  = flag.Uint64("lww.seed", 1, "seed of the first property-test case")
	propCases = flag.Int("lww.cases", 12, "property-test cases to run (use thousands for a long run)")
	propSteps = flag.Int("lww.steps", 120, "random steps per property-test case")
	propLong  = flag.Bool("lww.long", false, "also run the long fixed histories: the property cases that once failed, at the length they failed at (CI runs them in a step of their own)")
)

// long skips t unless -lww.long is given.
func long(t *testing.T) {
	t.Helper()
	if !*propLong {
		t.Skip("a long fixed history: run with -lww.long (CI does)")
	}
}

// world is one property-test case: replicas making random edits and
// exchanging changesets at random.
type world struct {
	t       *testing.T
	rng     *rand.Rand
	devs    []*device
	inbox   map[*device][]delivery // changesets in flight, per receiver
	counter int
	// rollbacks (TestConvergencePropertyWithRollbacks) puts devices back
	// to earlier copies of their own files (rollback.go).
	rollbacks *rollbacks
	// collide draws natural keys (URLs, tag and category names) from small
	// pools shared by all ids, so that devices create the same thing under
	// different ids, and edits give rows keys other rows hold.
	collide bool
	// fkOff makes the edits on connections with foreign_keys off, as the
	// sqlite3 shell and Python's sqlite3 module make them, and sometimes
	// name a parent that is not there: the capture triggers hold the
	// foreign keys (triggers.ForeignKeys).
	fkOff bool
	// frng, when set, moves playlists across the row filter (discovery
	// and library) now and then; a generator of its own keeps the other
	// draws as they were.
	frng *rand.Rand
}

type delivery struct {
	from *device
	data []byte
}

// TestConvergenceProperty: 3 to 5 replicas on the app schema make random
// inserts, edits, deletes, re-inserts, tag adds and removes, interleaved
// with random partial, reordered and duplicated exchanges; after a full
// exchange all end identical.
func TestConvergenceProperty(t *testing.T) {
	runProperty(t, variant{collide: true, filters: true})
}

// variant says what a property case adds to random edits and exchanges.
type variant struct {
	rollbacks bool // rollback.go
	collide   bool // world.collide
	filters   bool // world.frng
}

// runProperty runs the property cases, with rollbacks or without.
func runProperty(t *testing.T, v variant) {
	cases := *propCases
	if v.rollbacks && !flagSet("lww.cases") {
		// A rollback case costs four plain ones; CI runs more in a step
		// of their own.
		cases = max(1, cases/3)
	}
	for i := 0; i < cases; i++ {
		seed := *propSeed + uint64(i)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { runCase(t, seed, *propSteps, v) })
	}
}

// runCase runs one property case.
func runCase(t *testing.T, seed uint64, steps int, v variant) {
	w := &world{t: t, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), inbox: map[*device][]delivery{}, collide: v.collide}
	if v.rollbacks {
		w.rollbacks = &rollbacks{rng: rand.New(rand.NewPCG(seed, 2)), saved: map[*device][]string{}}
	}
	// Half the cases apply in batches of 1 to 8 records, so that records
	// of one entity fall in different batches (drawn from a generator of
	// their own, so that the seeds' cases stay what they were).
	if br := rand.New(rand.NewPCG(seed, 1)); br.IntN(2) == 0 {
		smallBatches(t, 1+br.IntN(8))
	}
	// Half the cases edit with foreign keys off (likewise).
	w.fkOff = rand.New(rand.NewPCG(seed, 4)).IntN(2) == 0
	if v.filters {
		w.frng = rand.New(rand.NewPCG(seed, 5))
	}
	n := 3 + w.rng.IntN(3)
	w.devs = append(w.devs, newDevice(t, "desktop", schema.Desktop))
	for j := 1; j < n; j++ {
		p := schema.Mobile
		if w.rng.IntN(4) == 0 {
			p = schema.Desktop
		}
		w.devs = append(w.devs, newDevice(t, fmt.Sprintf("dev%d", j), p))
	}
	pairAll(t, w.devs...)
	for step := 0; step < steps; step++ {
		if w.rollbacks != nil {
			w.rollbacks.step(w)
		}
		if w.rng.IntN(3) == 0 {
			w.network()
		} else {
			w.edit(w.devs[w.rng.IntN(len(w.devs))])
		}
	}
	// Full exchange: deliver what is in flight, then sync every pair until
	// nothing changes.
	for d, q := range w.inbox {
		for _, m := range q {
			w.deliver(d, m)
		}
	}
	for round := 0; round < 3 || w.rollbacks != nil && round < 8; round++ {
		for _, a := range w.devs {
			for _, b := range w.devs {
				if data := w.export(a, b); a != b && data != nil {
					w.deliver(b, delivery{a, data})
				}
			}
		}
	}
	for _, d := range w.devs {
		d.verify(t)
	}
	checkConverged(t, w.devs...)
	checkIntegrity(t, w.devs...)
	checkNothingLost(t, w.devs...)
	checkNothingBlocked(t, w.devs...)
	if w.rollbacks != nil {
		w.rollbacks.checkNothingLost(w)
	}
}

// export writes a's delta for b, addressed to the id a has b paired
// under; nil when a knows none of b's ids (b was reset, and has not sent
// a changeset under its new id yet).
func (w *world) export(a, b *device) []byte {
	if a == b {
		return nil
	}
	peer := pairedID(w.t, a, b)
	if peer == "" {
		return nil
	}
	var buf bytes.Buffer
	if _, err := a.e.Export(context.Background(), &buf, capture.ExportOptions{Peer: peer}); err != nil {
		w.t.Fatal(err)
	}
	return buf.Bytes()
}

// deliver applies a changeset; with rollbacks, a fork it reveals is dealt
// with as the app does (rollback.go).
func (w *world) deliver(to *device, m delivery) {
	if w.rollbacks == nil {
		to.apply(w.t, m.data)
		return
	}
	w.rollbacks.deliver(w, to, m)
}

// network does one random thing to the changesets between two devices:
// export into flight, deliver the next one, deliver one out of order, deliver
// one twice, or drop one.
func (w *world) network() {
	a, b := w.devs[w.rng.IntN(len(w.devs))], w.devs[w.rng.IntN(len(w.devs))]
	if a == b {
		return
	}
	data := w.export(a, b)
	if data == nil {
		return
	}
	w.inbox[b] = append(w.inbox[b], delivery{a, data})
	q := w.inbox[b]
	switch r := w.rng.IntN(10); {
	case r < 5: // deliver everything in order
		for _, m := range q {
			w.deliver(b, m)
		}
		w.inbox[b] = nil
	case r < 7: // deliver one at random, keep it in flight (duplicate later)
		w.deliver(b, q[w.rng.IntN(len(q))])
	case r < 9: // deliver one at random and remove it (reordering)
		i := w.rng.IntN(len(q))
		w.deliver(b, q[i])
		w.inbox[b] = append(q[:i:i], q[i+1:]...)
	default: // lose one
		i := w.rng.IntN(len(q))
		w.inbox[b] = append(q[:i:i], q[i+1:]...)
	}
}

// ids are small pools, so devices create the same rows concurrently and
// re-insert deleted ones.
func (w *world) pick(prefix string, n int) string { return fmt.Sprintf("%s%d", prefix, w.rng.IntN(n)) }

func (w *world) value() string {
	w.counter++
	return fmt.Sprintf("v%d", w.counter)
}

// existing returns a random id of a row d has in table, or "".
func (w *world) existing(d *device, table string) string {
	rows := sqlitetest.Rows(w.t, d.e.Conn(), `SELECT id FROM "`+table+`" ORDER BY id`)
	if len(rows) == 0 {
		return ""
	}
	var s string
	fmt.Sscanf(rows[w.rng.IntN(len(rows))][0], "%q", &s)
	return s
}

// edit makes one random edit on d. Statements that a constraint refuses
// (a row that already exists, a missing parent) are part of the game.
func (w *world) edit(d *device) {
	c := d.e.Conn()
	try := func(sql string, args ...any) {
		stmt, _, err := c.Prepare(sql)
		if err != nil {
			w.t.Fatalf("%s: %v", sql, err)
		}
		defer stmt.Close()
		for i, a := range args {
			if err := capture.BindValue(stmt, i+1, a); err != nil {
				w.t.Fatal(err)
			}
		}
		_ = stmt.Exec() // constraint failures are expected
	}
	if w.fkOff {
		sqlitetest.Exec(w.t, c, `PRAGMA foreign_keys = OFF`)
		defer sqlitetest.Exec(w.t, c, `PRAGMA foreign_keys = ON`)
	}
	// parent picks a parent row: one d holds, or with foreign keys off
	// sometimes any id, which d may not hold.
	parent := func(table, prefix string, n int) string {
		if w.fkOff && w.rng.IntN(4) == 0 {
			return w.pick(prefix, n)
		}
		return w.existing(d, table)
	}
	v := w.value()
	if w.frng != nil && w.frng.IntN(8) == 0 {
		defer w.flip(d)
	}
	switch w.rng.IntN(16) {
	case 0:
		id := w.pick("c", 3)
		try(`INSERT INTO tag_categories (id, name, sort_order) VALUES (?, ?, ?)`, id, w.name("cat-", id, 2), w.rng.IntN(5))
	case 1:
		if cat := parent("tag_categories", "c", 3); cat != "" {
			id := w.pick("g", 5)
			try(`INSERT INTO tags (id, category_id, name) VALUES (?, ?, ?)`, id, cat, w.name("tag-", id, 3))
		}
	case 2, 3:
		id := w.pick("r", 6)
		try(`INSERT INTO discovery_releases (id, url, artist, title, date_added, date_modified) VALUES (?, ?, ?, ?, 'd', 'd')`,
			id, w.name("https://x/", id, 4), "artist "+v, "title "+v)
	case 4, 5, 6:
		if id := w.existing(d, "discovery_releases"); id != "" {
			field := []string{"artist", "title", "label", "release_date", "artwork_url", "artwork_path", "notes"}[w.rng.IntN(7)]
			var val any = field + " " + v
			if w.rng.IntN(5) == 0 {
				val = nil
			}
			try(`UPDATE discovery_releases SET "`+field+`" = ? WHERE id = ?`, val, id)
		}
	case 7:
		if rel := parent("discovery_releases", "r", 6); rel != "" {
			id := w.pick("t", 8)
			try(`INSERT INTO discovery_tracks (id, release_id, name, position, duration_ms) VALUES (?, ?, ?, ?, ?)`,
				id, rel, "track "+v, w.rng.IntN(10), int64(w.rng.IntN(400000)))
		}
	case 8:
		if id := w.existing(d, "discovery_tracks"); id != "" {
			try(`UPDATE discovery_tracks SET is_liked = 1 - is_liked, position = ? WHERE id = ?`, w.rng.IntN(10), id)
		}
	case 9: // tag add
		rel, tag := parent("discovery_releases", "r", 6), parent("tags", "g", 5)
		if rel != "" && tag != "" {
			try(`INSERT INTO discovery_release_tags (release_id, tag_id) VALUES (?, ?)`, rel, tag)
		}
	case 10: // tag remove
		try(`DELETE FROM discovery_release_tags WHERE rowid IN (SELECT rowid FROM discovery_release_tags ORDER BY random() LIMIT 1)`)
	case 11:
		id := w.pick("p", 3)
		try(`INSERT INTO playlists (id, name, context, date_created, date_modified) VALUES (?, ?, 'discovery', 'd', 'd')`, id, "list "+v)
	case 12:
		pl, rel := parent("playlists", "p", 3), parent("discovery_releases", "r", 6)
		if pl != "" && rel != "" {
			try(`INSERT OR REPLACE INTO playlist_discovery_releases (playlist_id, release_id, position) VALUES (?, ?, ?)`, pl, rel, w.rng.IntN(20))
		}
	case 13:
		key := []string{"theme", "crossfade", "window_state"}[w.rng.IntN(3)]
		try(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, v)
	case 14: // delete something, cascading to its children
		table := []string{"discovery_releases", "discovery_releases", "tags", "tag_categories", "playlists", "discovery_tracks"}[w.rng.IntN(6)]
		if id := w.existing(d, table); id != "" {
			try(`DELETE FROM "`+table+`" WHERE id = ?`, id)
		}
	case 15:
		if w.collide && w.rng.IntN(2) == 0 { // a natural key edited, maybe into one another row holds
			switch w.rng.IntN(3) {
			case 0:
				if id := w.existing(d, "tags"); id != "" {
					try(`UPDATE tags SET name = ? WHERE id = ?`, w.name("tag-", "", 3), id)
				}
			case 1:
				if id := w.existing(d, "discovery_releases"); id != "" {
					try(`UPDATE discovery_releases SET url = ? WHERE id = ?`, w.name("https://x/", "", 4), id)
				}
			default:
				if id := w.existing(d, "tag_categories"); id != "" {
					try(`UPDATE tag_categories SET name = ? WHERE id = ?`, w.name("cat-", "", 2), id)
				}
			}
			return
		}
		if id := w.existing(d, "tags"); id != "" {
			try(`UPDATE tags SET color = ?, sort_order = ? WHERE id = ?`, "#"+v, w.rng.IntN(9), id)
		}
	}
}

// name returns a natural-key value for a row with id: prefix+id, or, in a
// case with collisions, one of n values shared by all ids, so that devices
// create the same thing under different ids.
func (w *world) name(prefix, id string, n int) string {
	if !w.collide {
		return prefix + id
	}
	return fmt.Sprintf("%sn%d", prefix, w.rng.IntN(n))
}

// checkNothingLost checks, from each device's change log, that every write
// made on it is in the final state: its field's register holds its stamp
// or a later one (a later write of the field replaced it). The final state
// is the same on every device.
func checkNothingLost(t *testing.T, devs ...*device) {
	t.Helper()
	final := registers(t, devs[0])
	for _, d := range devs {
		// An insert's and a delete's entries per field are the row's:
		// their register is the existence register.
		rows := sqlitetest.Rows(t, d.e.Conn(), `SELECT entity_type || '/' || quote(entity_id) || '/' || iif(op = 2, field_name, ''), hlc
			FROM local_changes WHERE origin IS NULL`)
		for _, r := range rows {
			var hlc int64
			fmt.Sscan(r[1], &hlc)
			st := stamp{hlc, strconv.Quote(d.e.NodeID())}
			if got, ok := final[r[0]]; !ok || got.less(st) {
				t.Errorf("%s wrote %s at %v; the final state has %v", d.name, r[0], st, got)
			}
		}
	}
}

// checkNothingBlocked checks that no value waits for a natural key another
// row holds: such rows merge.
func checkNothingBlocked(t *testing.T, devs ...*device) {
	t.Helper()
	for _, d := range devs {
		groups, err := d.e.Parked(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			if g.Reason == capture.ParkedUnique {
				t.Errorf("%s: %d values of %s parked: %s", d.name, g.Values, g.Table, g.Reason)
			}
		}
	}
}

// flip moves a playlist of d across the row filter: a discovery playlist
// to the library, or back; or adds a library playlist.
func (w *world) flip(d *device) {
	c := d.e.Conn()
	if w.fkOff {
		sqlitetest.Exec(w.t, c, `PRAGMA foreign_keys = OFF`)
		defer sqlitetest.Exec(w.t, c, `PRAGMA foreign_keys = ON`)
	}
	rows := sqlitetest.Rows(w.t, c, `SELECT id FROM playlists ORDER BY id`)
	if len(rows) == 0 || w.frng.IntN(4) == 0 {
		id := fmt.Sprintf("p%d", w.frng.IntN(3))
		_ = c.Exec(fmt.Sprintf(`INSERT INTO playlists (id, name, context, date_created, date_modified) VALUES ('%s', 'library list', 'library', 'd', 'd')`, id))
		return
	}
	var id string
	fmt.Sscanf(rows[w.frng.IntN(len(rows))][0], "%q", &id)
	_ = c.Exec(fmt.Sprintf(`UPDATE playlists SET context = CASE context WHEN 'discovery' THEN 'library' ELSE 'discovery' END WHERE id = '%s'`, id))
}
