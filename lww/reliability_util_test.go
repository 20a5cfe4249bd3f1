package lww

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"testing"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/internal/sqlitetest"
)

// Sizes of the reliability tests. The defaults fit CI (the whole set runs
// in well under a minute on 2 cores); raise them for long runs, e.g.
//
//	go test ./lww -run Reliability -rel.kills 2000 -rel.ops 20000 -rel.writers 8 -timeout 2h
var (
	relKills   = flag.Int("rel.kills", 30, "crash test: how many times the child is killed with SIGKILL")
	relSeed    = flag.Uint64("rel.seed", 0, "seed of the crash and concurrency tests (0: from the clock, logged)")
	relWriters = flag.Int("rel.writers", 4, "concurrency test: writer connections")
	relOps     = flag.Int("rel.ops", 300, "concurrency test: edits per writer")
	relBig     = flag.Bool("rel.big", false, "hostile-input test: also apply a value of exactly changeset.MaxValueLen (needs ~1 GB of memory)")
)

// dumpSum returns the full dump of a database and its SHA-256, so that a
// test can say "unchanged" by checksum and show a diff when it is not.
func dumpSum(t testing.TB, c *sqlite3.Conn) (string, string) {
	t.Helper()
	d := sqlitetest.Dump(t, c)
	sum := sha256.Sum256([]byte(d))
	return d, hex.EncodeToString(sum[:])
}

// checkUnchanged fails when c's dump differs from before.
func checkUnchanged(t testing.TB, c *sqlite3.Conn, before, beforeSum, what string) {
	t.Helper()
	after, sum := dumpSum(t, c)
	if sum != beforeSum {
		t.Errorf("%s changed the database (dump sha256 %s -> %s):\n%s", what, beforeSum[:12], sum[:12], diffLines(before, after))
	}
}

// stampRegression is a captured change whose stamp is not above the
// previous captured change's.
type stampRegression struct {
	Seq, HLC, PrevSeq, PrevHLC int64
	// RemoteBetween counts the applied remote changes logged between the
	// two.
	RemoteBetween int64
}

// localStampRegressions lists the captured (local) changes whose stamp is
// not strictly above the one captured before them, in seq order.
func localStampRegressions(t testing.TB, c *sqlite3.Conn) []stampRegression {
	t.Helper()
	var out []stampRegression
	for _, r := range sqlitetest.Rows(t, c, `
		WITH l AS (SELECT seq, hlc, lag(seq) OVER (ORDER BY seq) AS pseq, lag(hlc) OVER (ORDER BY seq) AS phlc
			FROM local_changes WHERE origin IS NULL)
		SELECT seq, hlc, pseq, phlc, (SELECT count(*) FROM local_changes r WHERE r.origin IS NOT NULL AND r.seq > l.pseq AND r.seq < l.seq)
		FROM l WHERE hlc <= phlc ORDER BY seq`) {
		var s stampRegression
		for i, p := range []*int64{&s.Seq, &s.HLC, &s.PrevSeq, &s.PrevHLC, &s.RemoteBetween} {
			*p = atoi(t, r[i])
		}
		out = append(out, s)
	}
	return out
}

func atoi(t testing.TB, s string) int64 {
	t.Helper()
	var n int64
	for i, ch := range s {
		if ch == '-' && i == 0 {
			continue
		}
		if ch < '0' || ch > '9' {
			t.Fatalf("not an integer: %s", s)
		}
		n = n*10 + int64(ch-'0')
	}
	if len(s) > 0 && s[0] == '-' {
		n = -n
	}
	return n
}

// headerFrom returns the header of a changeset from for to, as from's
// Export writes it (with its synced tables), for crafting records.
func headerFrom(t testing.TB, from, to *device) changeset.Header {
	t.Helper()
	r, err := changeset.NewReader(bytes.NewReader(from.export(t, to, false)))
	if err != nil {
		t.Fatal(err)
	}
	return r.Header()
}

// flagSet reports whether the flag was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
