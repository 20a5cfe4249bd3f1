package capture

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// ErrBadEntityID is wrapped by the errors of EntityKey for an entity id that
// does not fit the table's key.
var ErrBadEntityID = errors.New("malformed entity id")

// EntityKey returns the key values of the row that entity id names in table
// t. For a one-column key the id is the key value itself. For a composite
// key it is the SQL literal of each key value (SQLite's quote()) joined by
// commas, as the triggers write it: 'text' with quotes doubled, integers,
// reals, X'hex' blobs. (SQLite's quote() ends a text at its first NUL
// character, so composite keys should hold no NUL characters.)
func EntityKey(t schema.TableInfo, id any) ([]any, error) {
	if len(t.Key) == 1 {
		if id == nil {
			return nil, fmt.Errorf("%s: NULL entity id: %w", t.Name, ErrBadEntityID)
		}
		return []any{id}, nil
	}
	s, ok := id.(string)
	if !ok {
		return nil, fmt.Errorf("%s: composite entity id of type %T: %w", t.Name, id, ErrBadEntityID)
	}
	if strings.IndexByte(s, 0) >= 0 {
		// quote() stops at a NUL, so no id the triggers write holds one.
		return nil, fmt.Errorf("%s: entity id %q holds a NUL byte: %w", t.Name, s, ErrBadEntityID)
	}
	key, err := parseLiterals(s)
	if err != nil {
		return nil, fmt.Errorf("%s: entity id %q: %v: %w", t.Name, s, err, ErrBadEntityID)
	}
	if len(key) != len(t.Key) {
		return nil, fmt.Errorf("%s: entity id %q has %d key values, want %d: %w", t.Name, s, len(key), len(t.Key), ErrBadEntityID)
	}
	return key, nil
}

// EntityID returns the entity id of the row of t with the given key values,
// computed by SQLite exactly as the triggers compute it.
func EntityID(conn *sqlite3.Conn, t schema.TableInfo, key []any) (any, error) {
	if len(key) != len(t.Key) {
		return nil, fmt.Errorf("%s: %d key values, want %d: %w", t.Name, len(key), len(t.Key), ErrBadEntityID)
	}
	if len(t.Key) == 1 {
		return key[0], nil
	}
	exprs := make([]string, len(key))
	for i := range key {
		exprs[i] = "quote(?)"
	}
	stmt, _, err := conn.Prepare("SELECT " + strings.Join(exprs, " || ',' || "))
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	if err := bindAll(stmt, key); err != nil {
		return nil, err
	}
	if !stmt.Step() {
		return nil, stmt.Err()
	}
	return stmt.ColumnText(0), stmt.Err()
}

// parseLiterals reads a comma-separated list of SQL literals as quote()
// writes them.
func parseLiterals(s string) ([]any, error) {
	var out []any
	for {
		var v any
		var rest string
		switch {
		case s == "":
			return nil, errors.New("empty value")
		case s[0] == '\'':
			var b strings.Builder
			i := 1
			for {
				j := strings.IndexByte(s[i:], '\'')
				if j < 0 {
					return nil, errors.New("unterminated string")
				}
				b.WriteString(s[i : i+j])
				i += j + 1
				if i < len(s) && s[i] == '\'' {
					b.WriteByte('\'')
					i++
					continue
				}
				break
			}
			v, rest = b.String(), s[i:]
		case s[0] == 'X' || s[0] == 'x':
			if len(s) < 3 || s[1] != '\'' {
				return nil, errors.New("malformed blob")
			}
			j := strings.IndexByte(s[2:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated blob")
			}
			b, err := hex.DecodeString(s[2 : 2+j])
			if err != nil {
				return nil, fmt.Errorf("blob: %v", err)
			}
			v, rest = b, s[3+j:]
		default:
			j := strings.IndexByte(s, ',')
			if j < 0 {
				j = len(s)
			}
			tok := s[:j]
			rest = s[j:]
			if tok == "NULL" {
				return nil, errors.New("NULL key value")
			}
			if n, err := strconv.ParseInt(tok, 10, 64); err == nil {
				v = n
			} else if f, err := parseReal(tok); err == nil {
				v = f
			} else {
				return nil, fmt.Errorf("unreadable value %q", tok)
			}
		}
		out = append(out, v)
		if rest == "" {
			return out, nil
		}
		if rest[0] != ',' {
			return nil, fmt.Errorf("unexpected %q after a value", rest[:1])
		}
		s = rest[1:]
	}
}

func parseReal(tok string) (float64, error) {
	switch tok {
	case "Inf", "9.0e+999", "1e999":
		return math.Inf(1), nil
	case "-Inf", "-9.0e+999", "-1e999":
		return math.Inf(-1), nil
	}
	if !strings.ContainsAny(tok, ".eE") {
		return 0, errors.New("not a real")
	}
	return strconv.ParseFloat(tok, 64)
}

// keyWhere returns the WHERE condition matching a row of t by key, with one
// parameter per key column.
func keyWhere(t schema.TableInfo) string {
	conds := make([]string, len(t.Key))
	for i, k := range t.Key {
		conds[i] = triggers.Quote(k.Name) + " = ?"
	}
	return strings.Join(conds, " AND ")
}

// CompareEntityIDs orders entity ids as SQLite orders the values of
// field_timestamps.entity_id (no affinity, binary collation): numbers by
// value (an integer and a real of the same value are equal), then text,
// then blobs, byte by byte. An id of any other type sorts last. It returns
// -1, 0 or +1.
func CompareEntityIDs(x, y any) int {
	if c := cmp.Compare(entityClass(x), entityClass(y)); c != 0 {
		return c
	}
	switch a := x.(type) {
	case int64:
		switch b := y.(type) {
		case int64:
			return cmp.Compare(a, b)
		case float64:
			return -compareFloatInt(b, a)
		}
	case float64:
		switch b := y.(type) {
		case int64:
			return compareFloatInt(a, b)
		case float64:
			return cmp.Compare(a, b)
		}
	case string:
		return strings.Compare(a, y.(string))
	case []byte:
		return bytes.Compare(a, y.([]byte))
	}
	return 0
}

func entityClass(v any) int {
	switch v.(type) {
	case int64, float64:
		return 0
	case string:
		return 1
	case []byte:
		return 2
	}
	return 3
}

// compareFloatInt compares a float with an integer without losing the
// integer's precision.
func compareFloatInt(f float64, i int64) int {
	switch {
	case math.IsNaN(f):
		return -1
	case f < -(1 << 63):
		return -1
	case f >= 1<<63:
		return 1
	}
	t := math.Trunc(f)
	if c := cmp.Compare(int64(t), i); c != 0 {
		return c
	}
	return cmp.Compare(f, t) // the fraction decides
}
