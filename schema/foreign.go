package schema

import (
	"fmt"
	"slices"

	"github.com/ncruces/go-sqlite3"
)

// ForeignKey is a foreign key of a synced table whose parent table syncs
// too: the capture triggers hold it for the clients that edit with
// foreign_keys off (triggers.GenerateAll).
type ForeignKey struct {
	// Columns are the child's columns; ParentColumns the parent's columns
	// they reference, in the same order (the parent's primary key when
	// the declaration names none).
	Columns       []string
	Parent        string
	ParentColumns []string
	// OnDelete is the declared action: "CASCADE", "SET NULL", "SET
	// DEFAULT", "RESTRICT" or "NO ACTION".
	OnDelete string
}

// foreignKeys fills in each table's foreign keys to synced parents.
func foreignKeys(conn *sqlite3.Conn, tables []TableInfo) error {
	byName := map[string]*TableInfo{}
	for i := range tables {
		byName[tables[i].Name] = &tables[i]
	}
	for i := range tables {
		t := &tables[i]
		stmt, _, err := conn.Prepare(`SELECT id, "table", "from", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`)
		if err != nil {
			return fmt.Errorf("foreign keys of %q: %w", t.Name, err)
		}
		if err := stmt.BindText(1, t.Name); err != nil {
			stmt.Close()
			return err
		}
		last := -1
		for stmt.Step() {
			if id := stmt.ColumnInt(0); id != last {
				last = id
				t.ForeignKeys = append(t.ForeignKeys, ForeignKey{Parent: stmt.ColumnText(1), OnDelete: stmt.ColumnText(4)})
			}
			fk := &t.ForeignKeys[len(t.ForeignKeys)-1]
			fk.Columns = append(fk.Columns, stmt.ColumnText(2))
			if stmt.ColumnType(3) != sqlite3.NULL {
				fk.ParentColumns = append(fk.ParentColumns, stmt.ColumnText(3))
			}
		}
		err = stmt.Err()
		stmt.Close()
		if err != nil {
			return fmt.Errorf("foreign keys of %q: %w", t.Name, err)
		}
		for j := range t.ForeignKeys {
			fk := &t.ForeignKeys[j]
			if p, ok := byName[fk.Parent]; ok && len(fk.ParentColumns) == 0 {
				for _, k := range p.Key {
					fk.ParentColumns = append(fk.ParentColumns, k.Name)
				}
			}
		}
		// A parent that does not sync is not the triggers' business.
		t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk ForeignKey) bool {
			_, ok := byName[fk.Parent]
			return !ok || len(fk.ParentColumns) != len(fk.Columns)
		})
	}
	return nil
}
