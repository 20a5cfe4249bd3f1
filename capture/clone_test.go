package capture

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/internal/sqlitetest"
	"github.com/capture-sync/capture/schema"
)

// TestClone: a clone exports what its engine would; an in-memory database
// has no clone.
func TestClone(t *testing.T) {
	ctx := context.Background()
	e, _ := openEngine(t, schema.Desktop)
	if err := e.Pair(ctx, Device{ID: "00000000000000aa", Name: "phone"}, bytes.Repeat([]byte{1}, 32)); err != nil {
		t.Fatal(err)
	}
	sqlitetest.Exec(t, e.Conn(), `INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'One', 'd', 'd')`)
	c, err := e.Clone(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.NodeID() != e.NodeID() || len(c.Tables()) != len(e.Tables()) || c.Fingerprint() != e.Fingerprint() {
		t.Fatalf("the clone is %s with %d tables, its engine %s with %d", c.NodeID(), len(c.Tables()), e.NodeID(), len(e.Tables()))
	}
	var want bytes.Buffer
	if _, err := e.Export(ctx, &want, ExportOptions{Peer: "00000000000000aa"}); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if _, err := c.Export(ctx, &got, ExportOptions{Peer: "00000000000000aa"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("the clone's export differs from its engine's (%d and %d bytes)", got.Len(), want.Len())
	}

	conn, err := sqlite3.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	m, err := OpenConn(ctx, conn, Options{Profile: schema.Mobile})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Clone(ctx); !errors.Is(err, ErrNoFile) {
		t.Errorf("clone of an in-memory database: %v", err)
	}
}
