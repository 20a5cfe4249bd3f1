package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/capture-sync/capture/capture"
)

// maxValueWidth caps the width of a value in the human tables; --json
// prints values whole.
const maxValueWidth = 40

// table is an aligned table: write lines of cells separated by tabs (see
// row), then Flush. Columns are two spaces apart and lines carry no
// trailing blanks.
type table struct {
	buf bytes.Buffer
	tw  *tabwriter.Writer
	out io.Writer
}

// newTable returns a table that writes to w when flushed.
func newTable(w io.Writer) *table {
	t := &table{out: w}
	t.tw = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	return t
}

// Write takes tab-separated cells, lines ending in newlines.
func (t *table) Write(p []byte) (int, error) { return t.tw.Write(p) }

// Flush aligns what was written and writes it out.
func (t *table) Flush() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	lines := strings.SplitAfter(t.buf.String(), "\n")
	t.buf.Reset()
	for _, l := range lines {
		if body, ok := strings.CutSuffix(l, "\n"); ok {
			l = strings.TrimRight(body, " ") + "\n"
		}
		if _, err := io.WriteString(t.out, l); err != nil {
			return err
		}
	}
	return nil
}

// row writes one line of cells to a table.
func row(tw io.Writer, cells ...string) {
	fmt.Fprintln(tw, strings.Join(cells, "\t"))
}

// formatValue renders a SQLite value for the human tables: NULL, integers
// and reals as SQL writes them, texts in single quotes (quotes doubled,
// control characters escaped), blobs as X'hex', cut to maxValueWidth.
func formatValue(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eIN") {
			s += ".0"
		}
		return s
	case string:
		s = "'" + strings.ReplaceAll(escapeControl(x), "'", "''") + "'"
	case []byte:
		s = "X'" + strings.ToUpper(hex.EncodeToString(x)) + "'"
	default:
		s = escapeControl(fmt.Sprint(x))
	}
	return truncate(s, maxValueWidth)
}

// formatEntity renders an entity id as stored: a text as it is (a composite
// id is already a list of SQL literals), other values as formatValue does.
func formatEntity(v any) string {
	if s, ok := v.(string); ok {
		return truncate(escapeControl(s), maxValueWidth)
	}
	return formatValue(v)
}

// escapeControl makes control characters visible, so a value cannot break
// a table's lines or columns.
func escapeControl(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError }

// truncate cuts s to n runes, ending it with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// formatTime renders a time in UTC to the second, "-" for the zero time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// orDash returns s, or "-" when it is empty, for table cells.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// jsonValue returns a SQLite value as JSON can hold it without losing its
// type: null, numbers and strings as themselves, a blob as {"blob": hex},
// and an infinite real as {"real": "+Inf"} or {"real": "-Inf"}.
func jsonValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return map[string]string{"blob": hex.EncodeToString(x)}
	case float64:
		if math.IsInf(x, 0) {
			return map[string]string{"real": strconv.FormatFloat(x, 'g', -1, 64)}
		}
	}
	return v
}

// jsonTime returns a time for JSON: RFC 3339 in UTC, or nil when zero.
func jsonTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// hlcText renders a stamp in its readable form, "-" for none (a row that
// predates the triggers has no register).
func hlcText(h capture.HLC) string {
	if h == 0 {
		return "-"
	}
	return h.String()
}
