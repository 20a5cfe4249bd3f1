package lww

import (
	"fmt"
	"testing"

	"github.com/capture-sync/capture/capture"
)

// TestDecideFieldExhaustive checks DecideField against the rule it
// implements, restated through effective stamps, over every combination of
// register states and relative stamps.
func TestDecideFieldExhaustive(t *testing.T) {
	in := capture.Stamp{HLC: 100, Node: "m"}
	stamps := []capture.Stamp{{HLC: 50, Node: "z"}, {HLC: 100, Node: "a"}, in, {HLC: 100, Node: "z"}, {HLC: 150, Node: "a"}}
	var exists []Reg
	exists = append(exists, Reg{})
	for _, s := range stamps {
		exists = append(exists, Reg{Set: true, Stamp: s}, Reg{Set: true, Stamp: s, Dead: true})
	}
	fields := []Reg{{}}
	for _, s := range stamps {
		fields = append(fields, Reg{Set: true, Stamp: s})
	}
	n := 0
	for _, exist := range exists {
		for _, field := range fields {
			for _, hasValue := range []bool{false, true} {
				for _, placed := range []bool{false, true} {
					n++
					if exist.Set && exist.Stamp == in {
						continue // one write has one stamp: a field write never shares its row's
					}
					take, act := DecideField(exist, field, in, hasValue, placed)
					// The reference: the register takes the write iff it is
					// newer than the register; the value counts iff, with
					// the register taken, the field's effective stamp is the
					// write's own.
					wantTake := !field.Set || field.Stamp.Less(in)
					wantAct := Drop
					if wantTake && hasValue {
						if eff, ok := capture.Effective(exist, Reg{Set: true, Stamp: in}); ok && eff == in {
							wantAct = Park
							if exist.Set && !exist.Dead && placed {
								wantAct = Write
							}
						}
					}
					if take != wantTake || act != wantAct {
						t.Errorf("exist %+v field %+v hasValue %v placed %v: got %v %v, want %v %v",
							exist, field, hasValue, placed, take, act, wantTake, wantAct)
					}
				}
			}
		}
	}
	if n != 11*6*4 {
		t.Fatalf("checked %d combinations", n)
	}
}

func TestDecideRowAndColumn(t *testing.T) {
	in := capture.Stamp{HLC: 100, Node: "m"}
	tests := []struct {
		exist Reg
		alive bool
		take  bool
		act   Action
		desc  string
	}{
		{Reg{}, true, true, Write, "first insert"},
		{Reg{}, false, true, Drop, "delete of a row never seen: the tombstone is kept"},
		{Reg{Set: true, Stamp: capture.Stamp{HLC: 50}}, true, true, Write, "newer re-insert"},
		{Reg{Set: true, Stamp: capture.Stamp{HLC: 50}, Dead: true}, true, true, Write, "re-insert newer than the delete"},
		{Reg{Set: true, Stamp: capture.Stamp{HLC: 150}, Dead: true}, true, false, Drop, "insert older than the delete"},
		{Reg{Set: true, Stamp: capture.Stamp{HLC: 50}}, false, true, Drop, "newer delete"},
		{Reg{Set: true, Stamp: capture.Stamp{HLC: 150}}, false, false, Drop, "delete older than the insert"},
		{Reg{Set: true, Stamp: in}, true, false, Drop, "the same insert again"},
		{Reg{Set: true, Stamp: capture.Stamp{HLC: 100, Node: "a"}}, false, true, Drop, "same HLC, higher node"},
		{Reg{Set: true, Stamp: capture.Stamp{HLC: 100, Node: "z"}}, false, false, Drop, "same HLC, lower node"},
	}
	for _, tc := range tests {
		take, act := DecideRow(tc.exist, in, tc.alive)
		if take != tc.take || (take && act != tc.act) {
			t.Errorf("%s: got %v %v, want %v %v", tc.desc, take, act, tc.take, tc.act)
		}
	}
	if !DecideColumn(Reg{}, in) || !DecideColumn(Reg{Set: true, Stamp: capture.Stamp{HLC: 99}}, in) ||
		DecideColumn(Reg{Set: true, Stamp: capture.Stamp{HLC: 101}}, in) {
		t.Error("DecideColumn: an insert sets the fields not written after it")
	}
	for _, a := range []Action{Drop, Write, Park} {
		if fmt.Sprint(a) == "?" {
			t.Errorf("action %d has no name", a)
		}
	}
}
