package main

import (
	"fmt"
	"runtime"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
)

// binder binds the parameters of statement number i of a batched loop.
type binder func(s *sqlite3.Stmt, i int) error

// batched runs sql n times through one prepared statement, binding each
// execution with bind, txSize statements per transaction (prepared BEGIN and
// COMMIT reused), and returns the time the loop took. Garbage is collected
// before the clock starts so the collector's debt of the setup is not
// charged to the loop.
func batched(conn *sqlite3.Conn, sql string, n int, bind binder) (time.Duration, error) {
	return batchedMulti(conn, []string{sql}, n, nil, bind)
}

// batchedMulti is batched over several prepared statements: statement
// number i runs sqls[pick(i)] (sqls[0] when pick is nil).
func batchedMulti(conn *sqlite3.Conn, sqls []string, n int, pick func(i int) int, bind binder) (time.Duration, error) {
	stmts := make([]*sqlite3.Stmt, len(sqls))
	for k, sql := range sqls {
		stmt, _, err := conn.Prepare(sql)
		if err != nil {
			return 0, fmt.Errorf("prepare %s: %w", sql, err)
		}
		defer stmt.Close()
		stmts[k] = stmt
	}
	begin, _, err := conn.Prepare(`BEGIN`)
	if err != nil {
		return 0, fmt.Errorf("prepare BEGIN: %w", err)
	}
	defer begin.Close()
	commit, _, err := conn.Prepare(`COMMIT`)
	if err != nil {
		return 0, fmt.Errorf("prepare COMMIT: %w", err)
	}
	defer commit.Close()

	runtime.GC()
	start := time.Now()
	for i := range n {
		if i%txSize == 0 {
			if err := begin.Exec(); err != nil {
				return 0, fmt.Errorf("BEGIN before statement %d: %w", i, err)
			}
		}
		k := 0
		if pick != nil {
			k = pick(i)
		}
		stmt := stmts[k]
		if err := bind(stmt, i); err != nil {
			conn.Exec(`ROLLBACK`)
			return 0, fmt.Errorf("%s: bind statement %d: %w", sqls[k], i, err)
		}
		if err := stmt.Exec(); err != nil {
			conn.Exec(`ROLLBACK`)
			return 0, fmt.Errorf("%s: statement %d: %w", sqls[k], i, err)
		}
		if i%txSize == txSize-1 || i == n-1 {
			if err := commit.Exec(); err != nil {
				conn.Exec(`ROLLBACK`)
				return 0, fmt.Errorf("COMMIT after statement %d: %w", i, err)
			}
		}
	}
	return time.Since(start), nil
}

// editFields runs each edit as a single-field UPDATE of tgt's table
// (UPDATE <table> SET <column> = ? WHERE <key> = ?, one prepared statement
// per column), batched as every timed loop.
func editFields(conn *sqlite3.Conn, tgt editTarget, edits []fieldEdit) (time.Duration, error) {
	sqls := make([]string, len(tgt.cols))
	for k, c := range tgt.cols {
		sqls[k] = fmt.Sprintf(`UPDATE %s SET %s = ? WHERE %s = ?`, tgt.table, c, tgt.key)
	}
	return batchedMulti(conn, sqls, len(edits), func(i int) int { return edits[i].col }, func(s *sqlite3.Stmt, i int) error {
		return firstErr(capture.BindValue(s, 1, edits[i].val), capture.BindValue(s, 2, edits[i].key))
	})
}

// insertPeer inserts rows into t, full rows, and returns the time it took.
func insertPeer(conn *sqlite3.Conn, rows []peerRow) (time.Duration, error) {
	return batched(conn, `INSERT INTO t(id, a, b, c, d, e) VALUES (?, ?, ?, ?, ?, ?)`, len(rows), func(s *sqlite3.Stmt, i int) error {
		r := &rows[i]
		return firstErr(s.BindInt64(1, r.id), s.BindText(2, r.a), s.BindText(3, r.b),
			s.BindInt64(4, r.c), s.BindFloat(5, r.d), s.BindText(6, r.e))
	})
}

// updatePeer sets column a of rows 1..len(vals) of t.
func updatePeer(conn *sqlite3.Conn, vals []string) (time.Duration, error) {
	return batched(conn, `UPDATE t SET a = ? WHERE id = ?`, len(vals), func(s *sqlite3.Stmt, i int) error {
		return firstErr(s.BindText(1, vals[i]), s.BindInt64(2, int64(i+1)))
	})
}

// deletePeer deletes rows 1..n of t by id.
func deletePeer(conn *sqlite3.Conn, n int) (time.Duration, error) {
	return batched(conn, `DELETE FROM t WHERE id = ?`, n, func(s *sqlite3.Stmt, i int) error {
		return s.BindInt64(1, int64(i+1))
	})
}

// insertReleases inserts full rows into discovery_releases.
func insertReleases(conn *sqlite3.Conn, rows []release) (time.Duration, error) {
	const sql = `INSERT INTO discovery_releases (id, url, source_type, artist, title, label, release_date,
		artwork_url, artwork_path, notes, parent_url, date_added, date_modified)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`
	return batched(conn, sql, len(rows), func(s *sqlite3.Stmt, i int) error {
		r := &rows[i]
		return firstErr(s.BindText(1, r.id), s.BindText(2, r.url), s.BindText(3, r.sourceType),
			s.BindText(4, r.artist), s.BindText(5, r.title), s.BindText(6, r.label), s.BindText(7, r.releaseDate),
			bindOpt(s, 8, r.artworkURL), bindOpt(s, 9, r.artworkPath), bindOpt(s, 10, r.parentURL),
			s.BindText(11, r.dateAdded), s.BindText(12, r.dateModified))
	})
}

// updateReleaseNotes sets notes of each release to notes[i].
func updateReleaseNotes(conn *sqlite3.Conn, rows []release, notes []string) (time.Duration, error) {
	return batched(conn, `UPDATE discovery_releases SET notes = ? WHERE id = ?`, len(rows), func(s *sqlite3.Stmt, i int) error {
		return firstErr(s.BindText(1, notes[i]), s.BindText(2, rows[i].id))
	})
}

// deleteReleases deletes each release by id.
func deleteReleases(conn *sqlite3.Conn, rows []release) (time.Duration, error) {
	return batched(conn, `DELETE FROM discovery_releases WHERE id = ?`, len(rows), func(s *sqlite3.Stmt, i int) error {
		return s.BindText(1, rows[i].id)
	})
}

// bindOpt binds a string or, for nil, NULL.
func bindOpt(s *sqlite3.Stmt, i int, v any) error {
	if str, ok := v.(string); ok {
		return s.BindText(i, str)
	}
	return s.BindNull(i)
}

// firstErr returns the first non-nil error of errs.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
