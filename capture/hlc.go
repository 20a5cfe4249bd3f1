package capture

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// HLC is a hybrid logical clock stamp: the wall-clock time in milliseconds
// since the Unix epoch in the high 48 bits and a logical counter in the low
// 16. Stamps compare as integers; with the node id as tie-breaker they order
// every change of every device totally.
//
// The triggers compute stamps in SQL; this type encodes, decodes and prints
// them, and runs the receive rule when remote stamps arrive.
type HLC int64

// counterBits is the width of the logical counter.
const counterBits = 16

// MakeHLC returns the stamp of wall-clock millisecond ms with logical
// counter c.
func MakeHLC(ms int64, c uint16) HLC { return HLC(ms<<counterBits | int64(c)) }

// HLCAt returns the first stamp of the millisecond t falls in.
func HLCAt(t time.Time) HLC { return MakeHLC(t.UnixMilli(), 0) }

// Millis returns the stamp's wall-clock part, in milliseconds since the Unix
// epoch.
func (h HLC) Millis() int64 { return int64(h) >> counterBits }

// Counter returns the stamp's logical counter.
func (h HLC) Counter() uint16 { return uint16(h) }

// Time returns the stamp's wall-clock part as a time in UTC.
func (h HLC) Time() time.Time { return time.UnixMilli(h.Millis()).UTC() }

// String returns the readable form: RFC 3339 time with milliseconds, then
// the counter, as in 2026-11-25T15:04:05.123Z+0007.
func (h HLC) String() string {
	return fmt.Sprintf("%s+%04d", h.Time().Format("2006-01-02T15:04:05.000Z07:00"), h.Counter())
}

// ErrBadHLC is wrapped by ParseHLC's errors.
var ErrBadHLC = errors.New("malformed HLC")

// ParseHLC reads a stamp in its readable form (see String) or as the raw
// integer.
func ParseHLC(s string) (HLC, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("%q: negative: %w", s, ErrBadHLC)
		}
		return HLC(n), nil
	}
	i := strings.LastIndexByte(s, '+')
	if i < 0 {
		return 0, fmt.Errorf("%q: want TIME+COUNTER or an integer: %w", s, ErrBadHLC)
	}
	t, err := time.Parse(time.RFC3339Nano, s[:i])
	if err != nil {
		return 0, fmt.Errorf("%q: %v: %w", s, err, ErrBadHLC)
	}
	c, err := strconv.ParseUint(s[i+1:], 10, 16)
	if err != nil {
		return 0, fmt.Errorf("%q: counter: %v: %w", s, err, ErrBadHLC)
	}
	if ms := t.UnixMilli(); ms < 0 || ms >= 1<<(63-counterBits) {
		return 0, fmt.Errorf("%q: time out of range: %w", s, ErrBadHLC)
	}
	return MakeHLC(t.UnixMilli(), uint16(c)), nil
}

// Stamp is an HLC with the node that issued it: the key of the
// last-writer-wins order.
type Stamp struct {
	HLC  HLC
	Node string
}

// Less reports whether s orders before o: by HLC, then by node id.
func (s Stamp) Less(o Stamp) bool {
	if s.HLC != o.HLC {
		return s.HLC < o.HLC
	}
	return s.Node < o.Node
}

// String returns the readable form of the stamp: HLC, then node.
func (s Stamp) String() string { return s.HLC.String() + " " + s.Node }

// ErrClockDrift is wrapped by Receive's error for a remote stamp too far
// ahead of this device's clock.
var ErrClockDrift = errors.New("remote clock too far ahead")

// Receive is the HLC receive rule: given the last stamp this device issued
// or saw, a remote stamp and the wall clock now, it returns the new last
// stamp, which is above both. A remote stamp whose wall time is more than
// maxDrift ahead of now is refused with ErrClockDrift, so one device with a
// wrong clock cannot drag every other device's clock into the future.
func Receive(last, remote HLC, now time.Time, maxDrift time.Duration) (HLC, error) {
	if ahead := remote.Millis() - now.UnixMilli(); ahead > maxDrift.Milliseconds() {
		return last, fmt.Errorf("stamp %s is %s ahead of this device's clock (bound %s): %w",
			remote, time.Duration(ahead)*time.Millisecond, maxDrift, ErrClockDrift)
	}
	return max(last, remote, HLCAt(now)), nil
}
