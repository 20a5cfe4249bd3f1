package capture

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/schema"
)

// knownSet is what a peer knows of the schema: its synced tables and their
// columns. A nil set knows everything (a peer that has not reported yet is
// assumed to run this schema; what it cannot store it parks).
type knownSet struct {
	tables map[string]map[string]bool
}

func newKnownSet(tables []changeset.Table) *knownSet {
	k := &knownSet{tables: map[string]map[string]bool{}}
	for _, t := range tables {
		cols := map[string]bool{"": true}
		for _, c := range t.Key {
			cols[c] = true
		}
		for _, c := range t.Columns {
			cols[c] = true
		}
		k.tables[t.Name] = cols
	}
	return k
}

// has reports whether the peer knows table and its column field ("" for the
// row itself).
func (k *knownSet) has(table, field string) bool {
	if k == nil {
		return true
	}
	if field == schema.AliasField {
		field = "" // an alias goes wherever its table does
	}
	return k.tables[table][field]
}

// missing returns, table by table, the columns k has that have do not
// ("" stands for the row itself: the whole table is missing).
func (k *knownSet) missing(have *knownSet) map[string][]string {
	out := map[string][]string{}
	for table, cols := range k.tables {
		if have.tables[table] == nil {
			out[table] = []string{""}
			continue
		}
		for c := range cols {
			if !have.tables[table][c] {
				out[table] = append(out[table], c)
			}
		}
	}
	return out
}

// peerSchema is what Export needs to know of a peer's schema.
type peerSchema struct {
	known, sent *knownSet
	knownRaw    string
}

// peerSchemaOf reads what peer last reported of its schema and what it has
// been sent.
func (e *Engine) peerSchemaOf(peer string) (ps peerSchema, err error) {
	var known, sent string
	err = e.queryRow(`SELECT coalesce(known_tables, ''), coalesce(sent_tables, '') FROM paired_devices WHERE device_id = ?`,
		[]any{peer}, func(s *sqlite3.Stmt) { known, sent = s.ColumnText(0), s.ColumnText(1) })
	if err != nil {
		return ps, err
	}
	ps.knownRaw = known
	if ps.known, err = parseKnown(known); err != nil {
		return ps, fmt.Errorf("known tables of %s: %w", peer, err)
	}
	if ps.sent, err = parseKnown(sent); err != nil {
		return ps, fmt.Errorf("sent tables of %s: %w", peer, err)
	}
	return ps, nil
}

func parseKnown(raw string) (*knownSet, error) {
	if raw == "" {
		return nil, nil
	}
	var tables []changeset.Table
	if err := json.Unmarshal([]byte(raw), &tables); err != nil {
		return nil, err
	}
	return newKnownSet(tables), nil
}

// RecordPeerSchema stores what a peer reported of its schema in a
// changeset header: its schema version, fingerprint and synced tables.
// Export then sends it only what it knows.
func (e *Engine) RecordPeerSchema(ctx context.Context, peer string, h changeset.Header) error {
	// A header that lists no tables says nothing of the peer's schema:
	// NULL, "everything", rather than a list that would filter every record.
	var known any
	if len(h.Tables) > 0 {
		raw, err := json.Marshal(h.Tables)
		if err != nil {
			return err
		}
		known = string(raw)
	}
	return e.exec(`UPDATE paired_devices SET schema_version = ?, spec_fingerprint = ?, known_tables = ? WHERE device_id = ?`,
		h.SchemaVersion, h.Fingerprint, known, peer)
}
