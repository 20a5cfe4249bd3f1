package main

import (
	"context"
	"fmt"

	"github.com/capture-sync/capture/capture"
)

// storagePeer is the paired device of the storage case.
const storagePeer = "bench0peer000001"

// caseStorage inserts cfg.N discovery releases into a captured desktop
// database, edits one field (notes) of each once, pairs one device that
// acknowledges everything and prunes; then it reports the bytes of sync
// metadata (the registers' tables, plus local_changes after the prune) per byte
// of synced data (discovery_releases). The sizes are measured once (they do
// not vary between runs); the insert and edit time gives ops_per_sec.
func caseStorage(ctx context.Context, cfg *Config) ([]Result, error) {
	n := cfg.N
	if n < 1 {
		return nil, fmt.Errorf("storage: row count must be at least 1, got %d", n)
	}
	rows := releases(n)
	notes := releaseNotes(n, 1)

	d, err := openApp(ctx, cfg.path("storage-captured.db"), true)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	defer d.drop()
	e := d.engine
	if err := e.Pair(ctx, capture.Device{ID: storagePeer, Name: "bench peer", Platform: "bench"}, []byte("bench-token")); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	emptyCaptured, err := fileBytes(d.conn)
	if err != nil {
		return nil, fmt.Errorf("storage: empty captured database: %w", err)
	}
	tIns, err := insertReleases(d.conn, rows)
	if err != nil {
		return nil, fmt.Errorf("storage: insert: %w", err)
	}
	tUpd, err := updateReleaseNotes(d.conn, rows, notes)
	if err != nil {
		return nil, fmt.Errorf("storage: edit: %w", err)
	}
	if err := expectCaptured(d, "discovery_releases", 2, int64(n)); err != nil {
		return nil, fmt.Errorf("storage: check: %w", err)
	}

	useDBStat := hasDBStat(d.conn)
	method := "dbstat: sum(pgsize) of each table's b-tree pages"
	if !useDBStat {
		method = "SQL record estimate (no dbstat in this SQLite build): record header + body from the values, plus per row the payload-length varint, rowid varint and 2-byte cell pointer; indexes, interior pages and free space excluded"
	}
	m := map[string]int64{}
	measure := func(prefix, table string) error {
		b, r, err := tableBytes(d.conn, table, useDBStat)
		if err != nil {
			return fmt.Errorf("storage: size of %s: %w", table, err)
		}
		m[prefix+"bytes"], m[prefix+"rows"] = b, r
		return nil
	}
	if err := measure("local_changes_before_prune_", "local_changes"); err != nil {
		return nil, err
	}
	last, err := e.LastSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	if err := e.Ack(ctx, storagePeer, last); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	pruned, err := e.Prune(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	for prefix, table := range map[string]string{"local_changes_": "local_changes", "data_": "discovery_releases",
		"registers_": "capture_registers", "keyed_registers_": "capture_keyed_registers", "entities_": "capture_entities"} {
		if err := measure(prefix, table); err != nil {
			return nil, err
		}
	}
	// The registers (the field_timestamps view) are kept in three tables.
	m["field_timestamps_bytes"] = m["registers_bytes"] + m["keyed_registers_bytes"] + m["entities_bytes"]
	m["field_timestamps_rows"] = m["registers_rows"] + m["keyed_registers_rows"]
	capturedFile, err := fileBytes(d.conn)
	if err != nil {
		return nil, fmt.Errorf("storage: captured database: %w", err)
	}
	emptyPlain, plainFile, err := plainStorage(ctx, cfg, rows, notes)
	if err != nil {
		return nil, err
	}

	meta := m["field_timestamps_bytes"] + m["local_changes_bytes"]
	data := m["data_bytes"]
	if data <= 0 {
		return nil, fmt.Errorf("storage: synced data measured %d bytes", data)
	}
	fileData := plainFile - emptyPlain
	fileMeta := (capturedFile - emptyCaptured) - fileData
	extra := map[string]any{
		"method":                           method,
		"metadata_bytes":                   meta,
		"data_bytes":                       data,
		"data_rows":                        m["data_rows"],
		"field_timestamps_bytes":           m["field_timestamps_bytes"],
		"field_timestamps_rows":            m["field_timestamps_rows"],
		"entities_bytes":                   m["entities_bytes"],
		"entities_rows":                    m["entities_rows"],
		"local_changes_bytes":              m["local_changes_bytes"],
		"local_changes_rows":               m["local_changes_rows"],
		"local_changes_before_prune_bytes": m["local_changes_before_prune_bytes"],
		"local_changes_before_prune_rows":  m["local_changes_before_prune_rows"],
		"pruned_changes":                   pruned,
		"ratio_before_prune":               float64(meta-m["local_changes_bytes"]+m["local_changes_before_prune_bytes"]) / float64(data),
		"metadata_bytes_per_row":           float64(meta) / float64(n),
		"file_captured_bytes":              capturedFile,
		"file_plain_bytes":                 plainFile,
		"file_metadata_bytes":              fileMeta,
		"file_data_bytes":                  fileData,
		"insert_ms":                        ms(tIns),
		"edit_ms":                          ms(tUpd),
	}
	if fileData > 0 {
		extra["file_ratio"] = float64(fileMeta) / float64(fileData)
	}
	total := tIns + tUpd
	r := Result{
		Name:       "storage",
		N:          n,
		Runs:       1,
		Ratio:      ptr(float64(meta) / float64(data)),
		CapturedMS: ms(total),
		OpsPerSec:  perSecond(2*n, ms(total)),
		Extra:      extra,
		Note: fmt.Sprintf("metadata/data bytes; %.0f B metadata per release; file-level (VACUUMed, with indexes) %.2f",
			float64(meta)/float64(n), extra["file_ratio"]),
	}
	if useDBStat {
		r.Note += "; by dbstat"
	} else {
		r.Note += "; SQL record estimate (no dbstat)"
	}
	cfg.logf("storage: metadata %d B (field_timestamps %d B in %d rows, local_changes %d B in %d rows after pruning %d), data %d B in %d rows: %.3f",
		meta, m["field_timestamps_bytes"], m["field_timestamps_rows"], m["local_changes_bytes"], m["local_changes_rows"], pruned, data, m["data_rows"], *r.Ratio)
	return []Result{r}, nil
}

// plainStorage builds the same data in a plain desktop database and returns
// its VACUUMed size empty and filled, for the file-level measure.
func plainStorage(ctx context.Context, cfg *Config, rows []release, notes []string) (empty, full int64, err error) {
	d, err := openApp(ctx, cfg.path("storage-plain.db"), false)
	if err != nil {
		return 0, 0, fmt.Errorf("storage: %w", err)
	}
	defer d.drop()
	if empty, err = fileBytes(d.conn); err != nil {
		return 0, 0, fmt.Errorf("storage: empty plain database: %w", err)
	}
	if _, err := insertReleases(d.conn, rows); err != nil {
		return 0, 0, fmt.Errorf("storage: plain insert: %w", err)
	}
	if _, err := updateReleaseNotes(d.conn, rows, notes); err != nil {
		return 0, 0, fmt.Errorf("storage: plain edit: %w", err)
	}
	if full, err = fileBytes(d.conn); err != nil {
		return 0, 0, fmt.Errorf("storage: plain database: %w", err)
	}
	return empty, full, nil
}
