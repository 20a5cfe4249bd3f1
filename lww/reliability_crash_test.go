package lww

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// The crash test runs a child process (this test binary again, running only
// TestCrashChild) that edits a phone database and merges a desktop's
// changesets into it in a loop, and kills it with SIGKILL at random
// moments. The environment tells the child which database and role.
const (
	crashEnvDB   = "CAPTURE_CRASH_DB"
	crashEnvRole = "CAPTURE_CRASH_ROLE" // "phone": edit and apply
	crashEnvSeed = "CAPTURE_CRASH_SEED"
)

// journalTable is the child's record of its own committed edits, written in
// the edit's transaction. It is not a synced table (nothing captures or
// exports it), so after a crash it says exactly which edits committed.
//
//	op      'insert', 'update' or 'delete'
//	tbl     the table edited
//	entity  the entity id, as the triggers write it
//	field   the column of an update; '' otherwise
//	value   the new value of an update (unique: 'c-v' || n)
const journalTable = `CREATE TABLE journal (
	n INTEGER PRIMARY KEY,
	op TEXT NOT NULL,
	tbl TEXT NOT NULL,
	entity TEXT NOT NULL,
	field TEXT NOT NULL,
	value
)`

// deskSteps are the desktop's edits; each becomes one changeset the child
// applies (in random order, again and again).
var deskSteps = []string{
	`INSERT INTO tag_categories (id, name) VALUES ('k1', 'Mood');
	INSERT INTO tags (id, category_id, name) VALUES ('g1', 'k1', 'Dark'), ('g2', 'k1', 'Deep'), ('g3', 'k1', 'Warm');
	INSERT INTO discovery_releases (id, url, artist, title, date_added, date_modified) VALUES
		('p1', 'https://p/1', 'A1', 'T1', 'd', 'd'), ('p2', 'https://p/2', 'A2', 'T2', 'd', 'd'),
		('p3', 'https://p/3', 'A3', 'T3', 'd', 'd'), ('p4', 'https://p/4', 'A4', 'T4', 'd', 'd');
	INSERT INTO discovery_tracks (id, release_id, name, position) VALUES ('pt1', 'p1', 'One', 1), ('pt2', 'p1', 'Two', 2), ('pt3', 'p2', 'Three', 1);
	INSERT INTO discovery_release_tags VALUES ('p1', 'g1'), ('p2', 'g2')`,
	`UPDATE discovery_releases SET notes = 'desk notes' WHERE id IN ('p1', 'p2'); UPDATE discovery_tracks SET name = 'Uno' WHERE id = 'pt1'`,
	`DELETE FROM discovery_releases WHERE id = 'p3';
	INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('p5', 'https://p/5', 'T5', 'd', 'd')`,
	`DELETE FROM tags WHERE id = 'g3'; UPDATE discovery_releases SET title = 'T2b' WHERE id = 'p2'`,
	`INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('p3', 'https://p/3b', 'back', 'd', 'd');
	INSERT INTO settings VALUES ('theme', 'dark')`,
	`DELETE FROM discovery_tracks WHERE id = 'pt2'; UPDATE discovery_releases SET label = 'L4', artist = 'A4b' WHERE id = 'p4'`,
	`INSERT INTO tags (id, category_id, name) VALUES ('g4', 'k1', 'Cold'); INSERT INTO discovery_release_tags VALUES ('p4', 'g4');
	UPDATE settings SET value = 'light' WHERE key = 'theme'`,
	`DELETE FROM discovery_releases WHERE id = 'p5'; UPDATE discovery_tracks SET position = 7 WHERE id = 'pt3'`,
	// A larger changeset, so that kills also land in the middle of an
	// apply.
	`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
	INSERT INTO discovery_releases (id, url, title, notes, date_added, date_modified)
		SELECT 'pb' || i, 'https://p/b' || i, 'bulk ' || i, hex(randomblob(64)), 'd', 'd' FROM n`,
}

// TestReliabilityCrash: a process that edits the database and merges
// changesets is killed with SIGKILL at random moments, -rel.kills times.
// After each kill: the database passes integrity_check and foreign_key_check;
// the applying flag is clear; every edit the child committed (its journal)
// has exactly its change-log entries and registers, and no captured change
// exists without its edit; the data holds exactly the committed edits; the
// clock is at or above every stamp issued; and the next sync delivers
// everything: a verifier device that syncs after every kill, and every
// tenth kill a freshly paired device, converge with the killed one.
func TestReliabilityCrash(t *testing.T) {
	ctx := context.Background()
	seed := *relSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (-rel.seed), %d kills (-rel.kills)", seed, *relKills)
	rng := rand.New(rand.NewPCG(seed, 0x6b696c6c))
	dir := t.TempDir()
	path := filepath.Join(dir, "phone.db")

	// The phone, the desktop whose changesets the child applies, and the
	// verifier that receives the phone's changes after every kill.
	pe, err := capture.Open(ctx, path, capture.Options{Profile: schema.Mobile})
	if err != nil {
		t.Fatal(err)
	}
	phone := &device{name: "phone", e: pe}
	desk := newDevice(t, "desktop", schema.Desktop)
	verifier := newDevice(t, "verifier", schema.Mobile)
	pairAll(t, phone, desk)
	pairAll(t, phone, verifier)
	phone.exec(t, journalTable)
	for i, step := range deskSteps {
		desk.exec(t, step)
		var buf strings.Builder
		st, err := desk.e.Export(ctx, &buf, capture.ExportOptions{Peer: phone.e.NodeID()})
		if err != nil {
			t.Fatal(err)
		}
		if err := desk.e.Ack(ctx, phone.e.NodeID(), st.UpToSeq); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("cs-%02d.bin", i)), []byte(buf.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	phone.e.Close()

	var child *exec.Cmd
	t.Cleanup(func() {
		if child != nil && child.ProcessState == nil {
			child.Process.Kill()
			child.Wait()
		}
	})
	var lastJournal int64
	var duringOpen, duringApply int
	for kill := 1; kill <= *relKills; kill++ {
		child = exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=5m")
		child.Env = append(os.Environ(), crashEnvDB+"="+path, crashEnvRole+"=phone",
			crashEnvSeed+"="+strconv.FormatUint(seed+uint64(kill), 10))
		var stderr strings.Builder
		child.Stderr = &stderr
		out, err := child.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan bool, 1)
		var last atomic.Value // the child's last line: "ready", "apply" or "applied"
		go func() {
			sc := bufio.NewScanner(out)
			ok := false
			for sc.Scan() {
				last.Store(sc.Text())
				if sc.Text() == "ready" && !ok {
					ok = true
					ready <- true
				}
			}
			if !ok {
				ready <- false
			}
			io.Copy(io.Discard, out)
		}()
		// Mostly kill while it works; one time in six while it opens
		// (migrating and installing the triggers).
		if rng.IntN(6) != 0 {
			select {
			case ok := <-ready:
				if !ok {
					child.Wait()
					t.Fatalf("kill %d: the child stopped before it was ready: %v\n%s", kill, child.ProcessState, stderr.String())
				}
			case <-time.After(60 * time.Second):
				t.Fatalf("kill %d: the child is not ready after 60 s\n%s", kill, stderr.String())
			}
			time.Sleep(time.Duration(rng.IntN(250)) * time.Millisecond)
		} else {
			time.Sleep(time.Duration(rng.IntN(12)) * time.Millisecond)
		}
		if child.ProcessState != nil || child.Process.Kill() != nil {
			child.Wait()
			t.Fatalf("kill %d: the child had stopped by itself: %v\n%s", kill, child.ProcessState, stderr.String())
		}
		err = child.Wait()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
			t.Fatalf("kill %d: the child ended with %v, not by the kill\n%s", kill, err, stderr.String())
		}
		switch last.Load() {
		case nil:
			duringOpen++
		case "apply":
			duringApply++
		}
		n := checkAfterCrash(t, path, kill, verifier, kill%10 == 0 || kill == *relKills)
		if t.Failed() {
			t.Fatalf("kill %d (seed %d): the checks above failed", kill, seed)
		}
		lastJournal = n
	}
	if lastJournal < int64(*relKills) {
		t.Errorf("the child committed only %d edits in %d runs: it hardly ran between kills", lastJournal, *relKills)
	}
	t.Logf("%d kills (%d while the child opened the database, %d during an apply), %d edits committed",
		*relKills, duringOpen, duringApply, lastJournal)
}

// checkAfterCrash reopens the killed database and checks it; it returns
// the number of journaled edits.
func checkAfterCrash(t *testing.T, path string, kill int, verifier *device, fresh bool) int64 {
	t.Helper()
	ctx := context.Background()
	// Before the engine touches anything: the file as the crash left it.
	raw, err := sqlite3.Open(path)
	if err != nil {
		t.Fatalf("kill %d: reopen: %v", kill, err)
	}
	if got := sqlitetest.Rows(t, raw, `PRAGMA integrity_check`); len(got) != 1 || got[0][0] != `"ok"` {
		t.Errorf("kill %d: integrity_check: %v", kill, got)
	}
	if got := sqlitetest.Rows(t, raw, `PRAGMA foreign_key_check`); len(got) != 0 {
		t.Errorf("kill %d: foreign_key_check: %v", kill, got)
	}
	if sqlitetest.Int(t, raw, `SELECT applying IS NULL FROM sync_state`) != 1 {
		t.Errorf("kill %d: the applying flag was left set", kill)
	}
	raw.Close()

	e, err := capture.Open(ctx, path, capture.Options{Profile: schema.Mobile})
	if err != nil {
		t.Fatalf("kill %d: capture.Open after the crash: %v", kill, err)
	}
	defer e.Close()
	phone := &device{name: "phone", e: e}
	c := e.Conn()
	n := sqlitetest.Int(t, c, `SELECT count(*) FROM journal`)
	if n == 0 {
		return 0 // killed before anything committed
	}
	checkJournal(t, kill, e)
	phone.verify(t) // the tables as the crash left them match the sync state

	// The clock is at or above every stamp issued or received.
	clock, err := e.Clock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	regs := localStampRegressions(t, c)
	if issued := maxIssued(t, phone); clock < issued || len(regs) > 0 {
		for _, r := range regs {
			if r.RemoteBetween > 0 {
				t.Fatalf("(see TestReliabilityClockAfterMergingOlderStamps): kill %d: Engine.Clock %s, highest stamp issued %s, "+
					"captured stamps not increasing after a merge: %+v", kill, clock, issued, regs)
			}
		}
		t.Errorf("kill %d: Engine.Clock %s is below the highest stamp issued or received %s; stamps not increasing: %+v", kill, clock, issued, regs)
	}

	// The next sync delivers everything committed.
	var buf strings.Builder
	st, err := e.Export(ctx, &buf, capture.ExportOptions{Peer: verifier.e.NodeID()})
	if err != nil {
		t.Fatalf("kill %d: export: %v", kill, err)
	}
	verifier.apply(t, []byte(buf.String()))
	if err := e.Ack(ctx, verifier.e.NodeID(), st.UpToSeq); err != nil {
		t.Fatal(err)
	}
	checkConverged(t, phone, verifier)
	if fresh {
		d := newDevice(t, fmt.Sprintf("fresh%d", kill), schema.Mobile)
		pairAll(t, phone, d)
		d.apply(t, phone.export(t, d, false))
		checkConverged(t, phone, d)
		if err := e.Unpair(ctx, d.e.NodeID()); err != nil {
			t.Fatal(err)
		}
		d.e.Close()
	}
	return n
}

// checkJournal checks the journal against the change log, the registers and
// the data.
func checkJournal(t *testing.T, kill int, e *capture.Engine) {
	t.Helper()
	c := e.Conn()
	ops := map[string]string{"insert": "1", "update": "2", "delete": "3"}
	// Every journaled edit has exactly one captured row-level (insert,
	// delete) or field (update) change, and every captured change has its
	// journaled edit: compare the two as multisets.
	want, got := map[string]int{}, map[string]int{}
	for _, r := range sqlitetest.Rows(t, c, `SELECT op, tbl, entity, field, value FROM journal`) {
		op, _ := strconv.Unquote(r[0])
		want[ops[op]+" | "+strings.Join(r[1:], " | ")]++
	}
	for _, r := range sqlitetest.Rows(t, c, `SELECT op, entity_type, entity_id, field_name, new_value FROM local_changes
		WHERE origin IS NULL AND (op != 3 OR field_name = '')`) {
		got[strings.Join(r, " | ")]++
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("kill %d: journaled edit %q x%d has %d captured changes", kill, k, n, got[k])
		}
	}
	for k, n := range got {
		if want[k] == 0 {
			t.Errorf("kill %d: captured change %q x%d has no committed edit", kill, k, n)
		}
	}
	// A delete logs the old value of every tracked column with its
	// row-level entry.
	cols := map[string]int{}
	for _, ti := range e.Tables() {
		cols[ti.Name] = len(ti.Columns)
	}
	for _, r := range sqlitetest.Rows(t, c, `SELECT entity_type, entity_id,
			count(*) FILTER (WHERE field_name != ''), count(*) FILTER (WHERE field_name = '')
		FROM local_changes WHERE origin IS NULL AND op = 3 GROUP BY 1, 2`) {
		table, _ := strconv.Unquote(r[0])
		if fields, rows := atoi(t, r[2]), atoi(t, r[3]); fields != rows*int64(cols[table]) {
			t.Errorf("kill %d: delete of %s %s logged %d field entries for %d deletes", kill, table, r[1], fields, rows)
		}
	}
	// Every register points at the change that set it, with its stamp.
	if n := sqlitetest.Int(t, c, `SELECT count(*) FROM field_timestamps f LEFT JOIN local_changes l USING (seq)
		WHERE l.seq IS NULL OR l.hlc IS NOT f.hlc OR l.entity_type IS NOT f.entity_type OR l.entity_id IS NOT f.entity_id
			OR l.field_name IS NOT f.field_name OR l.origin IS NOT f.origin`); n != 0 {
		t.Errorf("kill %d: %d registers do not match the change that set them", kill, n)
	}

	// Replay the journal for the child's own rows (no other device touches
	// them) and compare with the tables and the registers.
	type entity struct {
		alive  bool
		fields map[string]string
	}
	rows := map[string]*entity{} // "table id"
	for _, r := range sqlitetest.Rows(t, c, `SELECT n, op, tbl, entity, field, value FROM journal
		WHERE tbl IN ('discovery_releases', 'discovery_tracks') AND entity LIKE 'c%' ORDER BY n`) {
		op, _ := strconv.Unquote(r[1])
		table, _ := strconv.Unquote(r[2])
		if table != "discovery_releases" && table != "discovery_tracks" {
			continue
		}
		key := table + " " + r[3]
		switch op {
		case "insert":
			first := "title"
			if table == "discovery_tracks" {
				first = "name"
			}
			rows[key] = &entity{alive: true, fields: map[string]string{first: fmt.Sprintf(`"c-v%s"`, r[0])}}
		case "update":
			field, _ := strconv.Unquote(r[4])
			rows[key].fields[field] = r[5]
		case "delete":
			rows[key].alive = false
		}
	}
	have := map[string]map[string]string{}
	for _, q := range []struct{ table, sql string }{
		{"discovery_releases", `SELECT id, title, notes, label, artist FROM discovery_releases WHERE id LIKE 'c%'`},
		{"discovery_tracks", `SELECT id, name, NULL, NULL, NULL FROM discovery_tracks WHERE id LIKE 'c%'`},
	} {
		for _, r := range sqlitetest.Rows(t, c, q.sql) {
			have[q.table+" "+r[0]] = map[string]string{"title": r[1], "name": r[1], "notes": r[2], "label": r[3], "artist": r[4]}
		}
	}
	tomb := map[string]string{}
	for _, r := range sqlitetest.Rows(t, c, `SELECT entity_type, entity_id, tombstone FROM field_timestamps
		WHERE field_name = '' AND entity_type IN ('discovery_releases', 'discovery_tracks') AND entity_id LIKE 'c%'`) {
		table, _ := strconv.Unquote(r[0])
		tomb[table+" "+r[1]] = r[2]
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		en := rows[k]
		h, present := have[k]
		switch {
		case en.alive != present:
			t.Errorf("kill %d: %s: alive per the journal %v, in its table %v", kill, k, en.alive, present)
		case en.alive:
			for f, v := range en.fields {
				if h[f] != v {
					t.Errorf("kill %d: %s.%s = %s, the last committed edit wrote %s", kill, k, f, h[f], v)
				}
			}
		}
		if want := map[bool]string{true: "0", false: "1"}[en.alive]; tomb[k] != want {
			t.Errorf("kill %d: %s: existence register tombstone %q, want %s", kill, k, tomb[k], want)
		}
		delete(have, k)
	}
	for k := range have {
		t.Errorf("kill %d: %s is in its table, but no committed edit inserted it", kill, k)
	}
}

// TestCrashChild is the child of TestReliabilityCrash: it edits and merges
// until it is killed. It is skipped unless run by that test.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnvDB)
	if path == "" {
		t.Skip("the child of TestReliabilityCrash; runs only under it")
	}
	if role := os.Getenv(crashEnvRole); role != "phone" {
		t.Fatalf("unknown role %q", role)
	}
	seed, _ := strconv.ParseUint(os.Getenv(crashEnvSeed), 10, 64)
	die := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "crash child: "+format+"\n", args...)
		os.Exit(3)
	}
	ctx := context.Background()
	e, err := capture.Open(ctx, path, capture.Options{Profile: schema.Mobile})
	if err != nil {
		die("open: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "cs-*.bin"))
	if len(files) == 0 {
		die("no changesets next to %s", path)
	}
	ch := &crashChild{c: e.Conn(), rng: rand.New(rand.NewPCG(seed, 0x6368696c64)), die: die}
	fmt.Println("ready")
	for {
		if ch.rng.IntN(10) == 0 {
			f, err := os.Open(files[ch.rng.IntN(len(files))])
			if err != nil {
				die("%v", err)
			}
			fmt.Println("apply")
			if _, err := Apply(ctx, e, f, Options{}); err != nil {
				die("apply %s: %v", f.Name(), err)
			}
			fmt.Println("applied")
			f.Close()
			continue
		}
		ch.transaction()
	}
}

// crashChild makes the child's edits.
type crashChild struct {
	c   *sqlite3.Conn
	rng *rand.Rand
	die func(string, ...any)
	n   int64
}

func (ch *crashChild) exec(sql string, args ...any) int64 {
	stmt, _, err := ch.c.Prepare(sql)
	if err != nil {
		ch.die("%s: %v", sql, err)
	}
	defer stmt.Close()
	for i, a := range args {
		if err := capture.BindValue(stmt, i+1, a); err != nil {
			ch.die("%s: %v", sql, err)
		}
	}
	if err := stmt.Exec(); err != nil {
		ch.die("%s %v: %v", sql, args, err)
	}
	return ch.c.Changes()
}

// column returns the first column of a query's rows, as text.
func (ch *crashChild) column(sql string, args ...any) []string {
	stmt, _, err := ch.c.Prepare(sql)
	if err != nil {
		ch.die("%s: %v", sql, err)
	}
	defer stmt.Close()
	for i, a := range args {
		capture.BindValue(stmt, i+1, a)
	}
	var out []string
	for stmt.Step() {
		out = append(out, stmt.ColumnText(0))
	}
	if err := stmt.Err(); err != nil {
		ch.die("%s: %v", sql, err)
	}
	return out
}

func (ch *crashChild) one(sql string, args ...any) string {
	if r := ch.column(sql, args...); len(r) > 0 {
		return r[0]
	}
	return ""
}

func (ch *crashChild) journal(op, table, entity, field string, value any) {
	ch.exec(`INSERT INTO journal (n, op, tbl, entity, field, value) VALUES (?, ?, ?, ?, ?, ?)`, ch.n, op, table, entity, field, value)
	ch.n++
}

// transaction commits one to four edits, each journaled.
func (ch *crashChild) transaction() {
	ch.exec(`BEGIN IMMEDIATE`)
	ch.n, _ = strconv.ParseInt(ch.one(`SELECT coalesce(max(n), 0) + 1 FROM journal`), 10, 64)
	for range 1 + ch.rng.IntN(4) {
		ch.edit()
	}
	ch.exec(`COMMIT`)
}

func (ch *crashChild) edit() {
	v := fmt.Sprintf("c-v%d", ch.n)
	release := func() string {
		return ch.one(`SELECT id FROM discovery_releases WHERE id LIKE 'c%' ORDER BY random() LIMIT 1`)
	}
	switch r := ch.rng.IntN(20); {
	case r < 4:
		id := fmt.Sprintf("c%d", ch.n)
		ch.exec(`INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES (?, ?, ?, 'd', 'd')`, id, "https://c/"+id, v)
		ch.journal("insert", "discovery_releases", id, "", nil)
	case r < 6:
		if rel := release(); rel != "" {
			id := fmt.Sprintf("ct%d", ch.n)
			ch.exec(`INSERT INTO discovery_tracks (id, release_id, name, position) VALUES (?, ?, ?, ?)`, id, rel, v, ch.n)
			ch.journal("insert", "discovery_tracks", id, "", nil)
		}
	case r < 11:
		if rel := release(); rel != "" {
			field := []string{"title", "notes", "label", "artist"}[ch.rng.IntN(4)]
			ch.exec(`UPDATE discovery_releases SET "`+field+`" = ? WHERE id = ?`, v, rel)
			ch.journal("update", "discovery_releases", rel, field, v)
		}
	case r < 13:
		if tr := ch.one(`SELECT id FROM discovery_tracks WHERE id LIKE 'c%' ORDER BY random() LIMIT 1`); tr != "" {
			ch.exec(`UPDATE discovery_tracks SET name = ? WHERE id = ?`, v, tr)
			ch.journal("update", "discovery_tracks", tr, "name", v)
		}
	case r < 14: // an edit of a desktop row: a change the desktop's may conflict with
		if rel := ch.one(`SELECT id FROM discovery_releases WHERE id LIKE 'p%' ORDER BY random() LIMIT 1`); rel != "" {
			ch.exec(`UPDATE discovery_releases SET notes = ? WHERE id = ?`, v, rel)
			ch.journal("update", "discovery_releases", rel, "notes", v)
		}
	case r < 16: // tag a release
		rel, tag := release(), ch.one(`SELECT id FROM tags ORDER BY random() LIMIT 1`)
		if rel != "" && tag != "" && ch.exec(`INSERT OR IGNORE INTO discovery_release_tags VALUES (?, ?)`, rel, tag) == 1 {
			ch.journal("insert", "discovery_release_tags", ch.one(`SELECT quote(?) || ',' || quote(?)`, rel, tag), "", nil)
		}
	case r < 17: // untag
		if rt := ch.column(`SELECT release_id FROM discovery_release_tags WHERE release_id LIKE 'c%' ORDER BY random() LIMIT 1`); len(rt) > 0 {
			tag := ch.one(`SELECT tag_id FROM discovery_release_tags WHERE release_id = ? LIMIT 1`, rt[0])
			ch.exec(`DELETE FROM discovery_release_tags WHERE release_id = ? AND tag_id = ?`, rt[0], tag)
			ch.journal("delete", "discovery_release_tags", ch.one(`SELECT quote(?) || ',' || quote(?)`, rt[0], tag), "", nil)
		}
	case r < 18:
		if tr := ch.one(`SELECT id FROM discovery_tracks WHERE id LIKE 'c%' ORDER BY random() LIMIT 1`); tr != "" {
			ch.exec(`DELETE FROM discovery_tracks WHERE id = ?`, tr)
			ch.journal("delete", "discovery_tracks", tr, "", nil)
		}
	default: // delete a release, its tracks and tags first, each journaled
		rel := release()
		if rel == "" {
			return
		}
		for _, tr := range ch.column(`SELECT id FROM discovery_tracks WHERE release_id = ?`, rel) {
			ch.exec(`DELETE FROM discovery_tracks WHERE id = ?`, tr)
			ch.journal("delete", "discovery_tracks", tr, "", nil)
		}
		for _, tag := range ch.column(`SELECT tag_id FROM discovery_release_tags WHERE release_id = ?`, rel) {
			ch.exec(`DELETE FROM discovery_release_tags WHERE release_id = ? AND tag_id = ?`, rel, tag)
			ch.journal("delete", "discovery_release_tags", ch.one(`SELECT quote(?) || ',' || quote(?)`, rel, tag), "", nil)
		}
		ch.exec(`DELETE FROM discovery_releases WHERE id = ?`, rel)
		ch.journal("delete", "discovery_releases", rel, "", nil)
	}
}
