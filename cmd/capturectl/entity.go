package main

import (
	"strconv"
	"strings"

	"github.com/capture-sync/capture/schema"
)

// entityArg turns an entity id given on the command line into the value
// stored in local_changes and field_timestamps: an integer for a table
// whose one-column key has integer affinity, the text as given otherwise
// (composite ids are texts: each key value's SQL literal, joined by
// commas).
func entityArg(t schema.TableInfo, s string) any {
	if len(t.Key) == 1 && strings.Contains(strings.ToUpper(t.Key[0].Type), "INT") {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	}
	return s
}

// entityHint explains how the ids of table t are written.
func entityHint(t schema.TableInfo, db string) string {
	if len(t.Key) > 1 {
		names := make([]string, len(t.Key))
		for i, c := range t.Key {
			names[i] = c.Name
		}
		return "the ids of " + t.Name + " are composite (" + strings.Join(names, ", ") +
			"): each key value as an SQL literal, joined by commas, e.g. \"'r1','g1'\"; " +
			"capturectl changes --db " + shellQuote(db) + " --table " + shellQuote(t.Name) + " shows the ids in use"
	}
	return "the ids of " + t.Name + " are its " + t.Key[0].Name + " values; capturectl changes --db " +
		shellQuote(db) + " --table " + shellQuote(t.Name) + " shows the ids in use"
}
