package lww

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/ext/serdes"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// FuzzApply feeds arbitrary bytes to Apply on a phone paired with the
// origin of the seed changesets, which holds that origin's snapshot. Every
// input starts from the same database (fuzzImage), built the same way in
// every process (fuzzDevice): the coordinator, which makes the seeds, the
// workers, which run them, and a later run of a failing input. Whatever
// the input, Apply must not panic; when it refuses the input, the database
// must be exactly as before, but for the fork it records when the input
// shows that this database forked; it must not fail on input it found
// valid (ErrApplyFailed); and fuzzCheck must pass either way.
//
// A new input grown from the snapshot or delta seed (about 940 bytes)
// takes Go's minimizer its whole default minute, during which the run
// shows no executions (they are counted when minimizing ends) and finds
// nothing new; -fuzzminimizetime 0 leaves inputs as found:
//
//	go test ./lww -run '^$' -fuzz FuzzApply -fuzzminimizetime 0
func FuzzApply(f *testing.F) {
	phone, seeds := fuzzSetup(f)
	for _, s := range seeds {
		f.Add(s)
	}
	img := newFuzzImage(f, phone.e.Conn())
	f.Fuzz(func(t *testing.T, data []byte) {
		img.restore(t)
		res, err := Apply(context.Background(), phone.e, bytes.NewReader(data), fuzzOptions)
		changed := img.changed(t)
		for _, v := range res.Violations {
			t.Errorf("the Apply's own check: %v", v)
		}
		if err != nil {
			if errors.Is(err, errDryRun) {
				t.Fatal("internal error leaked")
			}
			// Valid input never causes it: validation let through what the
			// database refused (ErrApplyFailed).
			if errors.Is(err, ErrApplyFailed) {
				t.Fatalf("input passed validation and failed: %v", err)
			}
			if changed {
				if errors.Is(err, capture.ErrForked) {
					// Apply records the fork, in a transaction of its own,
					// for Engine.Forked; that is all it may leave.
					if msg, ferr := phone.e.Forked(context.Background()); ferr != nil || msg == "" {
						t.Fatalf("refused as forked (%v), and the fork was not recorded (%v)", err, ferr)
					}
					sqlitetest.Exec(t, phone.e.Conn(), `UPDATE sync_state SET forked = NULL`)
				}
				if diff := img.diff(t); diff != "" {
					t.Fatalf("refused input (%v) changed the database:\n%s", err, diff)
				}
			}
		}
		fuzzCheck(t, phone.e, changed)
	})
}

// fuzzSetup builds FuzzApply's phone, which every input starts from, and
// its seeds. Every process builds the same.
func fuzzSetup(tb testing.TB) (phone *device, seeds [][]byte) {
	tb.Helper()
	phone, desk := fuzzDevice(tb, "phone", schema.Mobile, "00000000000000aa"), fuzzDevice(tb, "desktop", schema.Desktop, "00000000000000dd")
	// Apply keeps its statement journals in memory (tune.MemoryJournals):
	// set already, the setting is left alone. Changing it costs SQLite a
	// read of the whole schema, over a hundred triggers, on the next
	// statement (once the temporary database is open, which looking for
	// temporary tables does), 6 to 12 ms an Apply, more than the rest of a
	// small input.
	sqlitetest.Exec(tb, phone.e.Conn(), `PRAGMA temp_store = MEMORY`)
	pairAll(tb, phone, desk)
	desk.exec(tb, seedRelease)
	peer := desk.e.NodeID()
	now := int64(capture.HLCAt(fuzzEpoch.Add(time.Second))) // after the desktop's edits
	snapshot := desk.export(tb, phone, true)
	seeds = append(seeds, snapshot)
	desk.exec(tb, `UPDATE discovery_releases SET notes = 'n2'; DELETE FROM discovery_tracks WHERE id = 't2'`)
	seeds = append(seeds, desk.export(tb, phone, false))
	h := changeset.Header{Origin: peer}
	seeds = append(seeds, craft(tb, h, fieldRec("discovery_releases", "r1", "notes", "x", now, peer), fieldRec("crates", "k", "name", "y", now, peer)))
	seeds = append(seeds, craft(tb, h, changeset.Record{Kind: changeset.Row, Table: "discovery_release_tags", Entity: "'r1','g2'", Alive: true,
		Row: []changeset.Column{{Name: "release_id", Value: "r1"}, {Name: "tag_id", Value: "g2"}}, HLC: now, Origin: peer}))
	seeds = append(seeds, craft(tb, h, changeset.Record{Kind: changeset.Row, Table: "discovery_releases", Entity: "r1", HLC: now, Origin: peer}))
	// Identity merges: a release at r1's URL under another id, which
	// merges into r1, and aliases, good and bad.
	r9 := changeset.Record{Kind: changeset.Row, Table: "discovery_releases", Entity: "r9", Alive: true, HLC: now, Origin: peer,
		Row: []changeset.Column{{Name: "id", Value: "r9"}, {Name: "url", Value: "https://x/r1"}, {Name: "title", Value: "T"},
			{Name: "date_added", Value: "d"}, {Name: "date_modified", Value: "d"}}}
	seeds = append(seeds, craft(tb, h, r9, changeset.Record{Kind: changeset.Row, Table: "discovery_tracks", Entity: "t9", Alive: true, HLC: now, Origin: peer,
		Row: []changeset.Column{{Name: "id", Value: "t9"}, {Name: "release_id", Value: "r9"}, {Name: "name", Value: "n"}, {Name: "position", Value: int64(1)}}}))
	seeds = append(seeds, craft(tb, h, fieldRec("discovery_releases", "r9", schema.AliasField, "r1", now, peer), r9))
	seeds = append(seeds, craft(tb, h, fieldRec("tags", "g2", schema.AliasField, "g1", now, peer), fieldRec("tags", "g1", schema.AliasField, "g0", now, peer)))
	seeds = append(seeds, craft(tb, h, fieldRec("discovery_releases", "r0", schema.AliasField, "r1", now, peer)))
	// The phone holds the snapshot, so that the seeds' records meet rows
	// to merge with (r1 and its URL, its tracks and tags).
	if _, err := Apply(context.Background(), phone.e, bytes.NewReader(snapshot), fuzzOptions); err != nil {
		tb.Fatal(err)
	}
	fuzzCheck(tb, phone.e, true)
	return phone, seeds
}

// TestFuzzSetupIsTheSame: FuzzApply's workers run on a phone of their own
// the inputs the coordinator made from its seeds, and a failing input runs
// again later in a process of its own; the phones and the seeds must be
// the same.
func TestFuzzSetupIsTheSame(t *testing.T) {
	phone1, seeds1 := fuzzSetup(t)
	later()
	phone2, seeds2 := fuzzSetup(t)
	if a, b := sqlitetest.Dump(t, phone1.e.Conn()), sqlitetest.Dump(t, phone2.e.Conn()); a != b {
		t.Errorf("the phones differ:\n%s", diffLines(a, b))
	}
	if !slices.EqualFunc(seeds1, seeds2, bytes.Equal) {
		t.Error("the seeds differ")
	}
}

// TestFuzzImageRestores: whatever each seed did to the phone, restore
// puts back the image, schema and rows.
func TestFuzzImageRestores(t *testing.T) {
	phone, seeds := fuzzSetup(t)
	img := newFuzzImage(t, phone.e.Conn())
	applied := 0
	for i, s := range seeds {
		if _, err := Apply(context.Background(), phone.e, bytes.NewReader(s), fuzzOptions); err == nil {
			applied++
		}
		img.restore(t)
		if img.changed(t) {
			t.Fatalf("seed %d: changed after restore", i)
		}
		if dump := sqlitetest.Dump(t, phone.e.Conn()); dump != img.dump {
			t.Fatalf("seed %d: the image did not come back:\n%s", i, diffLines(img.dump, dump))
		}
	}
	if applied == 0 {
		t.Fatal("no seed applied, so nothing was restored")
	}
}

// fuzzEpoch is where the clocks of FuzzApply's devices start: fixed, so
// that every process builds the same devices, and later than any real time,
// so that the triggers, which stamp an edit with SQLite's clock or one above
// the last stamp, whichever is higher, count up from it.
var fuzzEpoch = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// fuzzNow is the wall clock of FuzzApply's engines and Apply calls: a
// minute after fuzzEpoch.
func fuzzNow() time.Time { return fuzzEpoch.Add(time.Minute) }

var fuzzOptions = Options{Now: fuzzNow}

// fuzzDevice is newDevice with the node id id and a clock that starts at
// fuzzEpoch (fuzzNow for the engine's own time): two devices made alike
// and edited alike hold the same data, stamps included.
func fuzzDevice(tb testing.TB, name string, p schema.Profile, id string) *device {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), name+".db")
	e, err := capture.Open(ctx, path, capture.Options{Profile: p})
	if err != nil {
		tb.Fatal(err)
	}
	sqlitetest.Exec(tb, e.Conn(), fmt.Sprintf(`UPDATE sync_state SET node_id = '%s', hlc = %d WHERE id = 1`, id, capture.HLCAt(fuzzEpoch)))
	if err := e.Close(); err != nil {
		tb.Fatal(err)
	}
	// Reopened, for the engine to read the node id.
	e, err = capture.Open(ctx, path, capture.Options{Profile: p, Now: fuzzNow})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	if e.NodeID() != id {
		tb.Fatalf("node id %s, want %s", e.NodeID(), id)
	}
	return &device{name: name, e: e, path: path, p: p}
}

// fuzzCheck runs the invariant checks every input must pass, on e after
// Apply returned. changed says whether the input may have changed the
// database (fuzzImage.changed); when it did not, the database holds what
// the image holds, schema and rows, which passed these checks when FuzzApply
// set it up, so the checks of the database's content are left out: they
// cost as much as the rest of most inputs, or more.
func fuzzCheck(tb testing.TB, e *capture.Engine, changed bool) {
	tb.Helper()
	c := e.Conn()
	// The connection is left as Apply found it.
	if !c.GetAutocommit() {
		tb.Fatal("transaction left open")
	}
	if on, err := c.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER); err != nil || !on {
		tb.Fatalf("triggers left off (%v)", err)
	}
	if !changed {
		return
	}
	if rows := sqlitetest.Rows(tb, c, `PRAGMA foreign_key_check`); len(rows) != 0 {
		tb.Fatalf("foreign keys broken: %v", rows)
	}
	if sqlitetest.Int(tb, c, `SELECT applying IS NULL FROM sync_state`) != 1 {
		tb.Fatal("applying flag left set")
	}
	// Every table matches its sync state (an input that commits nothing
	// leaves the image, which passed at setup).
	rep, err := Verify(context.Background(), e, VerifyOptions{Limit: 5})
	if err != nil {
		tb.Fatal(err)
	}
	for _, v := range rep.Violations {
		tb.Errorf("verify: %v", v)
	}
}

// fuzzImage is the database every FuzzApply input starts from: the main
// database of conn as it was when the image was taken. An input that
// commits nothing leaves the database as it is, and the next input starts
// on it; after one that commits, restore puts the image back.
//
// Whether anything was committed comes from the pager's data version
// (SQLITE_FCNTL_DATA_VERSION), which SQLite moves with every write
// transaction committed on the file, by this connection or another. (PRAGMA
// data_version, unlike it, ignores this connection's own commits.) A
// refused Apply rolls its transaction back, which commits nothing, but the
// failure noted afterwards in a transaction of its own does commit.
//
// restore writes the image's rows back, table by table, in one
// transaction with the triggers and foreign keys off. Writing its pages
// back (serdes.Deserialize, the backup API) makes SQLite read the whole
// schema again on the next statement, over a hundred triggers, which took
// 6 to 12 ms, more than the rest of an input; it is done only when the
// schema changed, or when a table cannot be written back with SQL.
type fuzzImage struct {
	conn    *sqlite3.Conn
	image   []byte // the database's pages, as one file would hold them
	dump    string // sqlitetest.Dump of the image
	tables  []imageTable
	byPages bool   // a table cannot be written back with SQL
	schema  int64  // PRAGMA schema_version once the image was last written back
	version uint32 // the data version once the image was last written back
}

// imageTable is one table of the image: its rows, and the statements that
// empty it and insert a row (the rowid first, for a table that has one
// apart from its columns).
type imageTable struct {
	name     string
	del, ins *sqlite3.Stmt
	rows     [][]any
}

func newFuzzImage(tb testing.TB, conn *sqlite3.Conn) *fuzzImage {
	tb.Helper()
	image, err := serdes.Serialize(conn, "main")
	if err != nil {
		tb.Fatal(err)
	}
	img := &fuzzImage{conn: conn, image: image, dump: sqlitetest.Dump(tb, conn)}
	tb.Cleanup(func() {
		for _, t := range img.tables {
			t.del.Close()
			t.ins.Close()
		}
	})
	img.readTables(tb)
	img.schema = img.schemaVersion(tb)
	img.version = img.dataVersion(tb)
	// The data version must see a commit of this connection's own; a
	// rollback leaves the file as it was.
	sqlitetest.Exec(tb, conn, `BEGIN; UPDATE sync_state SET last_sync_timestamp = -1; ROLLBACK`)
	if img.changed(tb) {
		// Not wrong, only slower: every input would be compared.
		tb.Log("the data version moved on a rollback")
		img.version = img.dataVersion(tb)
	}
	sqlitetest.Exec(tb, conn, `UPDATE sync_state SET last_sync_timestamp = -1`)
	if !img.changed(tb) {
		tb.Fatal("the data version missed a commit of the connection's own")
	}
	img.restore(tb)
	if diff := img.diff(tb); diff != "" || img.changed(tb) {
		tb.Fatalf("the image did not come back (changed: %v):\n%s", img.changed(tb), diff)
	}
	return img
}

// readTables reads the rows of every table of the image and prepares the
// statements that write them back. A virtual table, or a column named like
// the rowid, makes restore write the pages back instead.
func (img *fuzzImage) readTables(tb testing.TB) {
	tb.Helper()
	c := img.conn
	for _, t := range sqlitetest.Rows(tb, c, `SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main' AND name <> 'sqlite_schema' AND type <> 'view' ORDER BY name`) {
		name := unquote(tb, t[0])
		if t[1] != `"table"` {
			tb.Logf("%s is a %s table: inputs that commit get the image's pages back", name, t[1])
			img.byPages = true
			return
		}
		withRowid := t[2] == "0"
		var cols, ipk []string
		for _, col := range sqlitetest.Rows(tb, c, `SELECT name, upper(type), pk FROM pragma_table_xinfo(?) WHERE hidden = 0 ORDER BY cid`, name) {
			cname := unquote(tb, col[0])
			switch strings.ToLower(cname) {
			case "rowid", "oid", "_rowid_":
				tb.Logf("%s has a column %s: inputs that commit get the image's pages back", name, cname)
				img.byPages = true
				return
			}
			cols = append(cols, quoteIdent(cname))
			if col[2] != "0" {
				ipk = append(ipk, col[1])
			}
		}
		// A table with rowids whose key is not one INTEGER column (an
		// alias of the rowid) keeps its rowids apart.
		if withRowid && !(len(ipk) == 1 && ipk[0] == `"INTEGER"`) {
			cols = append([]string{"rowid"}, cols...)
		}
		list := strings.Join(cols, ", ")
		it := imageTable{name: name}
		it.rows = append(it.rows, selectValues(tb, c, `SELECT `+list+` FROM `+quoteIdent(name))...)
		var err error
		if it.del, _, err = c.Prepare(`DELETE FROM ` + quoteIdent(name)); err != nil {
			tb.Fatal(err)
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
		if it.ins, _, err = c.Prepare(`INSERT INTO ` + quoteIdent(name) + ` (` + list + `) VALUES (` + marks + `)`); err != nil {
			it.del.Close()
			tb.Fatal(err)
		}
		img.tables = append(img.tables, it)
	}
}

func (img *fuzzImage) dataVersion(tb testing.TB) uint32 {
	tb.Helper()
	v, err := img.conn.FileControl("main", sqlite3.FCNTL_DATA_VERSION)
	if err != nil {
		tb.Fatal(err)
	}
	return v.(uint32)
}

func (img *fuzzImage) schemaVersion(tb testing.TB) int64 {
	tb.Helper()
	return sqlitetest.Int(tb, img.conn, `PRAGMA schema_version`)
}

// changed reports whether a write transaction was committed since the image
// was last written back. When it was not, the database holds what the
// image holds.
func (img *fuzzImage) changed(tb testing.TB) bool {
	tb.Helper()
	return img.dataVersion(tb) != img.version
}

// restore writes the image back if the database changed.
func (img *fuzzImage) restore(tb testing.TB) {
	tb.Helper()
	if !img.changed(tb) {
		return
	}
	if img.byPages || img.schemaVersion(tb) != img.schema {
		if err := serdes.Deserialize(img.conn, "main", img.image); err != nil {
			tb.Fatal(err)
		}
		img.schema = img.schemaVersion(tb)
	} else if err := img.writeRows(); err != nil {
		tb.Fatalf("write the image back: %v", err)
	}
	img.version = img.dataVersion(tb)
}

// writeRows empties every table and inserts the image's rows, in one
// transaction, with the triggers and foreign keys off.
func (img *fuzzImage) writeRows() (err error) {
	c := img.conn
	if err := c.Exec(`PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	defer func() { err = firstErr(err, c.Exec(`PRAGMA foreign_keys = ON`)) }()
	if _, err := c.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER, false); err != nil {
		return err
	}
	defer func() {
		_, terr := c.Config(sqlite3.DBCONFIG_ENABLE_TRIGGER, true)
		err = firstErr(err, terr)
	}()
	tx, err := c.BeginImmediate()
	if err != nil {
		return err
	}
	defer tx.End(&err)
	for _, t := range img.tables {
		if err := t.del.Exec(); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		for _, row := range t.rows {
			for i, v := range row {
				if err := bindExact(t.ins, i+1, v); err != nil {
					return fmt.Errorf("%s: %w", t.name, err)
				}
			}
			if err := t.ins.Exec(); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
		}
	}
	return nil
}

// diff returns how the database differs from the image in schema and
// content, or "" if it does not: the bytes are compared first, and the
// dumps only when those differ.
func (img *fuzzImage) diff(tb testing.TB) string {
	tb.Helper()
	now, err := serdes.Serialize(img.conn, "main")
	if err != nil {
		tb.Fatal(err)
	}
	if bytes.Equal(now, img.image) {
		return ""
	}
	if dump := sqlitetest.Dump(tb, img.conn); dump != img.dump {
		return diffLines(img.dump, dump)
	}
	return ""
}

// selectValues runs a query and returns its rows, each value as SQLite
// holds it: int64, float64, string, []byte or nil.
func selectValues(tb testing.TB, c *sqlite3.Conn, sql string) [][]any {
	tb.Helper()
	s, _, err := c.Prepare(sql)
	if err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
	defer s.Close()
	var rows [][]any
	for s.Step() {
		row := make([]any, s.ColumnCount())
		for i := range row {
			switch s.ColumnType(i) {
			case sqlite3.INTEGER:
				row[i] = s.ColumnInt64(i)
			case sqlite3.FLOAT:
				row[i] = s.ColumnFloat(i)
			case sqlite3.TEXT:
				row[i] = string(s.ColumnRawText(i))
			case sqlite3.BLOB:
				row[i] = append([]byte{}, s.ColumnRawBlob(i)...) // not nil: BindBlob binds nil as NULL
			}
		}
		rows = append(rows, row)
	}
	if err := s.Err(); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
	return rows
}

// bindExact binds a value selectValues read, as the same SQLite type.
func bindExact(s *sqlite3.Stmt, i int, v any) error {
	switch v := v.(type) {
	case int64:
		return s.BindInt64(i, v)
	case float64:
		return s.BindFloat(i, v)
	case string:
		return s.BindText(i, v)
	case []byte:
		return s.BindBlob(i, v)
	}
	return s.BindNull(i)
}

// unquote reads a text value as sqlitetest.Rows renders it.
func unquote(tb testing.TB, v string) string {
	tb.Helper()
	s, err := strconv.Unquote(v)
	if err != nil {
		tb.Fatalf("not a text value: %s", v)
	}
	return s
}

func quoteIdent(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }
