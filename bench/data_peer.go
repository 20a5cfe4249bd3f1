package main

import (
	"fmt"
	"strconv"
)

// peerRow is one row of the peer benchmark's table
// t(id INTEGER PRIMARY KEY, a TEXT, b TEXT, c INTEGER, d REAL, e TEXT).
type peerRow struct {
	id      int64
	a, b, e string
	c       int64
	d       float64
}

// peerRows returns rows 1..n with the value patterns of
// ../shared/peers/crsqlite/run.sh:
//
//	a: `a-initial-${i}-${(i * 2654435761 >>> 0).toString(36)}`
//	b: `b-value-${i}-lorem-ipsum`, c: i*7, d: i*1.25
//	e: `e-some-longer-text-value-${i}-dolor-sit-amet`
func peerRows(n int) []peerRow {
	rows := make([]peerRow, n)
	for k := range rows {
		i := int64(k + 1)
		rows[k] = peerRow{
			id: i,
			a:  fmt.Sprintf("a-initial-%d-%s", i, strconv.FormatUint(uint64(uint32(uint64(i)*2654435761)), 36)),
			b:  fmt.Sprintf("b-value-%d-lorem-ipsum", i),
			c:  i * 7,
			d:  float64(i) * 1.25,
			e:  fmt.Sprintf("e-some-longer-text-value-%d-dolor-sit-amet", i),
		}
	}
	return rows
}

// peerUpdates returns the new values of column a for rows 1..n in run run,
// as run.sh makes them: `a-updated-r${run}-${i}-${(i * 40503 >>> 0).toString(36)}`.
func peerUpdates(n, run int) []string {
	vals := make([]string, n)
	for k := range vals {
		i := uint64(k + 1)
		vals[k] = fmt.Sprintf("a-updated-r%d-%d-%s", run, i, strconv.FormatUint(uint64(uint32(i*40503)), 36))
	}
	return vals
}
