package schema

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one entry of the shared, append-only migration list.
type Migration struct {
	// Version is the migration's number, 1 for the first; the database is at
	// version N once migrations 1 to N are applied.
	Version int
	// Name is the file the migration is read from.
	Name string
	// SQL is the migration's whole text, as checksummed.
	SQL string
	// Statements are the migration's statements, each with the table it acts
	// on ("" when it names none).
	Statements []Statement
}

// Statement is one statement of a migration.
type Statement struct {
	SQL   string
	Table string
}

// Checksum returns the hex SHA-256 of the migration's text. It is the same in
// both profiles.
func (m Migration) Checksum() string {
	sum := sha256.Sum256([]byte(m.SQL))
	return hex.EncodeToString(sum[:])
}

// For returns the statements of m that profile p applies.
func (m Migration) For(p Profile) []Statement {
	var out []Statement
	for _, s := range m.Statements {
		if s.Table == "" || p.Has(s.Table) {
			out = append(out, s)
		}
	}
	return out
}

// Migrations returns the migration list, in version order. It reads the
// files embedded in the package; an error there is a build defect and is
// returned rather than ignored.
func Migrations() ([]Migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	list := make([]Migration, 0, len(names))
	for i, name := range names { // fs.Glob returns names sorted
		base := path.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || v != i+1 {
			return nil, fmt.Errorf("migration file %s: want version %d first in its name", base, i+1)
		}
		text, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		stmts, err := splitStatements(string(text))
		if err != nil {
			return nil, fmt.Errorf("migration %d (%s): %w", v, base, err)
		}
		m := Migration{Version: v, Name: base, SQL: string(text)}
		for _, s := range stmts {
			m.Statements = append(m.Statements, Statement{SQL: s, Table: statementTable(s)})
		}
		list = append(list, m)
	}
	return list, nil
}

// Latest returns the highest version the migration list reaches.
func Latest() int {
	names, _ := fs.Glob(migrationFiles, "migrations/*.sql")
	return len(names)
}
