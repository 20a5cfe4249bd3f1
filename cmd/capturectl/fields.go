package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/capture-sync/capture/capture"
)

func init() {
	register("fields", "show every tracked field of one entity with its value, stamp and origin", runFields)
}

// fieldsReport is what fields prints.
type fieldsReport struct {
	Table   string      `json:"table"`
	Entity  any         `json:"entity"`
	Deleted bool        `json:"deleted"`
	Fields  []fieldJSON `json:"fields"`
}

// fieldJSON is one field of an entity; the field "" is the row's existence.
type fieldJSON struct {
	Field   string `json:"field"`
	Value   any    `json:"value"`
	HLC     int64  `json:"hlc"`
	HLCTime string `json:"hlc_time"`
	Origin  string `json:"origin"`
	// Own is whether the field has a register of its own; otherwise its
	// stamp is the row's (the insert's).
	Own bool `json:"own"`
}

func runFields(ctx context.Context, e *env, args []string) (err error) {
	f := newFlags(e, "fields", "--db PATH TABLE ID [--json]",
		`capturectl fields --db ./mobile.db discovery_release_tags "'r1','g1'"`).withJSON()
	pos, err := f.parse(args, "TABLE", "ID")
	if err != nil {
		return err
	}
	table, id := pos[0], pos[1]
	eng, err := openEngine(ctx, e, f.db, true)
	if err != nil {
		return err
	}
	defer closeEngine(eng, &err)

	t, ok := eng.Table(table)
	if !ok {
		return withHint(fmt.Errorf("table %q: %w", table, capture.ErrUnknownTable),
			"the synced tables are "+strings.Join(tableList(eng), ", "))
	}
	entity := entityArg(t, id)
	states, err := eng.Fields(ctx, table, entity)
	if errors.Is(err, capture.ErrUnknownEntity) || errors.Is(err, capture.ErrBadEntityID) {
		return withHint(err, entityHint(t, f.db))
	} else if err != nil {
		return err
	}
	rep := fieldsReport{Table: table, Entity: jsonValue(entity), Fields: []fieldJSON{}}
	for _, s := range states {
		if s.Field == "" {
			rep.Deleted = s.Deleted
		}
		fj := fieldJSON{Field: s.Field, Value: jsonValue(s.Value), HLC: int64(s.Stamp.HLC), Origin: s.Stamp.Node, Own: s.Own}
		if s.Stamp.HLC != 0 {
			fj.HLCTime = s.Stamp.HLC.String()
		}
		rep.Fields = append(rep.Fields, fj)
	}
	if f.json {
		return writeJSON(e.stdout, rep)
	}
	tw := newTable(e.stdout)
	row(tw, "FIELD", "VALUE", "HLC", "ORIGIN", "STAMP")
	for _, s := range states {
		value, stamp := formatValue(s.Value), "own"
		if s.Field == "" {
			value = "exists"
			if s.Deleted {
				value = "deleted"
			}
		}
		switch {
		case s.Stamp.HLC == 0: // a row older than the triggers
			stamp = "-"
		case !s.Own:
			stamp = "row's"
		}
		row(tw, fieldName(s.Field), value, hlcText(s.Stamp.HLC), orDash(s.Stamp.Node), stamp)
	}
	return tw.Flush()
}
