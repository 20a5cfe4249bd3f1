package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// writeJSON writes r as one JSON object on one line.
func writeJSON(w io.Writer, r Result) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode result of %s: %w", r.Name, err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// tableHeader are the columns of the printed table.
var tableHeader = []string{"case", "n", "runs", "plain ms", "captured ms", "ratio", "ratio per run", "captured µs/op", "captured ops/s", "peak RSS MiB", "note"}

// tableRow renders r as the cells of one table row.
func tableRow(r Result) []string {
	num := func(v float64, format string) string {
		if v == 0 {
			return "-"
		}
		return fmt.Sprintf(format, v)
	}
	ratio := "-"
	if r.Ratio != nil {
		ratio = fmt.Sprintf("%.2f", *r.Ratio)
	}
	runs := make([]string, len(r.RatioRuns))
	for i, x := range r.RatioRuns {
		runs[i] = fmt.Sprintf("%.2f", x)
	}
	perRun := strings.Join(runs, " ")
	if perRun == "" {
		perRun = "-"
	}
	return []string{r.Name, fmt.Sprint(r.N), fmt.Sprint(r.Runs), num(r.PlainMS, "%.1f"), num(r.CapturedMS, "%.1f"), ratio, perRun,
		num(r.CapturedUSPerOp, "%.2f"), num(r.OpsPerSec, "%.0f"), rssString(r), r.Note}
}

// writeTable writes the results as one aligned table, or as a Markdown
// table when markdown is set.
func writeTable(w io.Writer, rs []Result, markdown bool) error {
	if markdown {
		line := func(cells []string) string { return "| " + strings.Join(cells, " | ") + " |\n" }
		var b strings.Builder
		b.WriteString(line(tableHeader))
		sep := make([]string, len(tableHeader))
		for i := range sep {
			sep[i] = "---"
		}
		b.WriteString(line(sep))
		for _, r := range rs {
			b.WriteString(line(tableRow(r)))
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(tableHeader, "\t"))
	for _, r := range rs {
		fmt.Fprintln(tw, strings.Join(tableRow(r), "\t"))
	}
	return tw.Flush()
}

// writeDetails writes the case-specific figures (Result.Extra) of the
// results that have some, one "key: value" line each.
func writeDetails(w io.Writer, rs []Result) error {
	for _, r := range rs {
		if len(r.Extra) == 0 {
			continue
		}
		if _, err := fmt.Fprintf(w, "\n%s:\n", r.Name); err != nil {
			return err
		}
		for _, k := range slices.Sorted(maps.Keys(r.Extra)) {
			v := r.Extra[k]
			if f, ok := v.(float64); ok {
				if f == math.Trunc(f) {
					v = fmt.Sprintf("%.0f", f) // integers come back from the child's JSON as float64
				} else {
					v = fmt.Sprintf("%.3f", f)
				}
			}
			if _, err := fmt.Fprintf(w, "  %s: %v\n", k, v); err != nil {
				return err
			}
		}
	}
	return nil
}
