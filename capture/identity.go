package capture

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture/changeset"
)

// A device's identity is its node id, and its history is its change log:
// each change has a sequence number and a stamp. Peers record how far they
// have received a device's log (received_seq), and points of it with the
// stamp of the change there (received_checks), which they send back with
// their changesets until the device confirms them. A
// database that went back in time (a restored backup, an older copy of the
// file) or was copied to a second machine no longer has that change at
// that sequence number: its log forked from the one the peer saw. Such a
// database must take a new node id (Reset): its old stamps and sequence
// numbers stay its old id's, and its peers, told the old id in its
// changesets, move their pairing to the new one, send it everything again
// (what it lost included) and refuse any further changeset under the old
// id, which can only come from another copy. docs/device-lifecycle.md.

// ErrForked is wrapped by the errors of a check that found this database's
// change log is not the one its peers received from its node id: the file
// was restored from a backup, or copied and used elsewhere. Reset gives it
// a new node id, after which it syncs again and gets back what it lost.
var ErrForked = errors.New("this database's change log is not the one its peers received: it was restored from a backup or copied")

// ErrRetired is wrapped by the error for a changeset signed with a node id
// that its device has left for a new one: it comes from a copy or an old
// backup of that device's database, which must be reset and paired again.
var ErrRetired = errors.New("node id was retired by its device")

// CheckLog checks a peer's checks of this device's log (points of it as
// the peer received them) against the log, and returns those it confirms:
// an error wrapping ErrForked when the log has no change at a check's
// sequence number, or another one. A change pruned since (every peer had
// it) cannot be checked, and is confirmed.
func (e *Engine) CheckLog(ctx context.Context, peer string, checks []changeset.Check) (confirmed []changeset.Check, err error) {
	if e.conn == nil {
		return nil, ErrClosed
	}
	if len(checks) == 0 {
		return nil, nil
	}
	var last, oldest int64
	err = e.queryRow(`SELECT coalesce(max(seq), 0), coalesce(min(seq), 0) FROM local_changes`, nil, func(s *sqlite3.Stmt) {
		last, oldest = s.ColumnInt64(0), s.ColumnInt64(1)
	})
	if err != nil {
		return nil, fmt.Errorf("capture: check the log against %s: %w", peer, err)
	}
	for _, c := range checks {
		if c.Seq > last {
			return nil, fmt.Errorf("capture: %s has received this node's change %d, and the log ends at %d: %w", peer, c.Seq, last, ErrForked)
		}
		if c.Seq >= oldest && c.Seq > 0 {
			var got int64
			err := e.queryRow(`SELECT hlc FROM local_changes WHERE seq = ?`, []any{c.Seq}, func(s *sqlite3.Stmt) { got = s.ColumnInt64(0) })
			if err != nil && !errors.Is(err, errNoRow) {
				return nil, fmt.Errorf("capture: check the log against %s: %w", peer, err)
			}
			if got != c.HLC {
				return nil, fmt.Errorf("capture: %s received this node's change %d stamped %s, the log has %s there: %w",
					peer, c.Seq, HLC(c.HLC), HLC(got), ErrForked)
			}
		}
		confirmed = append(confirmed, c)
	}
	return confirmed, nil
}

// RecordFork notes, for status, that a check found this database forked
// (cause wraps ErrForked). Reset clears it.
func (e *Engine) RecordFork(ctx context.Context, cause error) error {
	if e.conn == nil {
		return ErrClosed
	}
	msg := e.now().UTC().Format(time.RFC3339) + ": " + cause.Error()
	if err := e.exec(`UPDATE sync_state SET forked = ? WHERE id = 1`, msg); err != nil {
		return fmt.Errorf("capture: record the fork: %w", err)
	}
	e.log.Error().Err(cause).Msg("change log forked: reset this database")
	return nil
}

// Forked returns what RecordFork noted, or "".
func (e *Engine) Forked(ctx context.Context) (string, error) {
	if e.conn == nil {
		return "", ErrClosed
	}
	var msg string
	err := e.queryRow(`SELECT coalesce(forked, '') FROM sync_state WHERE id = 1`, nil, func(s *sqlite3.Stmt) { msg = s.ColumnText(0) })
	return msg, err
}

// FormerIDs returns the node ids this device had before, newest first.
func (e *Engine) FormerIDs(ctx context.Context) ([]string, error) {
	if e.conn == nil {
		return nil, ErrClosed
	}
	var list string
	err := e.queryRow(`SELECT coalesce(former_node_ids, '') FROM sync_state WHERE id = 1`, nil, func(s *sqlite3.Stmt) { list = s.ColumnText(0) })
	if err != nil || list == "" {
		return nil, err
	}
	return strings.Split(list, ","), nil
}

// ResetOptions say what Reset is for.
type ResetOptions struct {
	// NewDevice is for a copy of another device's database, which goes on
	// as a device of its own: it leaves every pairing and is paired again,
	// and what it wrote before counts as written under its new id (which
	// orders after the old one, so that those writes reach the device it
	// was copied from). Without it, Reset is for a database restored from
	// a backup: the same device going on, which keeps its pairings.
	NewDevice bool
	// StartOver also clears the device's synced data and what it knows of
	// sync (its log and registers), keeping its pairings: its next sync
	// with each peer brings everything back, as a new device's first one
	// does. It refuses (ErrPending) while changes made here have not been
	// acknowledged by every paired device, unless DiscardPending is set.
	// Not with NewDevice.
	StartOver, DiscardPending bool
}

// Reset gives this device a new node id, in one transaction, and returns
// the old and the new one, so that no stamp or sequence number is ever
// issued twice under one id. Run it when a sync reports ErrForked, before
// syncing again.
//
// By default (a restored database) everything written here under the old
// id stays that id's (registers and log entries take it as their origin);
// every paired device's cursors go back to the start, so this device
// sends its log again and is sent everything, including its own old
// changes that the restore lost; and its changesets list the old id
// (changeset.Header.Former), so that each peer paired under it moves the
// pairing to the new id and retires the old one. With opts.NewDevice (a
// copied database) see ResetOptions. With opts.StartOver the device also
// clears its synced data and sync state first (docs/device-lifecycle.md,
// "Starting over"), refusing with ErrPending while a paired device lacks
// changes made here.
func (e *Engine) Reset(ctx context.Context, opts ResetOptions) (oldID, newID string, err error) {
	if e.conn == nil {
		return "", "", ErrClosed
	}
	old := e.conn.SetInterrupt(ctx)
	defer e.conn.SetInterrupt(old)
	tx, err := e.conn.BeginImmediate()
	if err != nil {
		return "", "", fmt.Errorf("capture: reset: %w", err)
	}
	defer tx.End(&err)
	if opts.StartOver {
		if opts.NewDevice {
			return "", "", errors.New("capture: reset: a new device has nothing to start over from: not both")
		}
		if err := e.startOver(opts.DiscardPending); err != nil {
			return "", "", fmt.Errorf("capture: reset: %w", err)
		}
	}
	oldID = e.nodeID
	if newID, err = newNodeID(oldID, opts.NewDevice); err != nil {
		return "", "", fmt.Errorf("capture: reset: %w", err)
	}
	former, err := e.FormerIDs(ctx)
	if err != nil {
		return "", "", fmt.Errorf("capture: reset: %w", err)
	}
	type step struct {
		sql  string
		args []any
	}
	var steps []step
	if opts.NewDevice {
		steps = []step{
			{`DELETE FROM paired_devices`, nil},
			{`UPDATE sync_state SET node_id = ?, paired_desktop_id = NULL, forked = NULL WHERE id = 1`, []any{newID}},
		}
	} else {
		former = append([]string{oldID}, former...)
		if len(former) > changeset.MaxFormer {
			former = former[:changeset.MaxFormer]
		}
		steps = []step{
			{`UPDATE capture_registers SET origin = ? WHERE origin IS NULL`, []any{oldID}},
			{`UPDATE capture_keyed_registers SET origin = ? WHERE origin IS NULL`, []any{oldID}},
			{`UPDATE local_changes SET origin = ? WHERE origin IS NULL`, []any{oldID}},
			{`UPDATE parked_values SET origin = ? WHERE origin IS NULL`, []any{oldID}},
			// The checks of the peers' logs stay: those logs did not change.
			{`UPDATE paired_devices SET acked_seq = 0, received_seq = 0, confirmed_checks = NULL, pending_tables = NULL, pending_seq = NULL,
				failed_at = NULL, failure = NULL, failed_record = NULL, failures = 0`, nil},
			{`UPDATE sync_state SET node_id = ?, former_node_ids = ?, forked = NULL WHERE id = 1`, []any{newID, strings.Join(former, ",")}},
		}
	}
	for _, st := range steps {
		if err := e.exec(st.sql, st.args...); err != nil {
			return "", "", fmt.Errorf("capture: reset: %w", err)
		}
	}
	e.nodeID = newID
	e.log.Warn().Str("old", oldID).Str("new", newID).Bool("new_device", opts.NewDevice).Msg("node id reset")
	return oldID, newID, nil
}

// newNodeID returns a random node id other than old; with after, one that
// orders after it (both are 16 hex digits).
func newNodeID(old string, after bool) (string, error) {
	low := uint64(0)
	if after {
		o, err := strconv.ParseUint(old, 16, 64)
		if err != nil || len(old) != 16 || o == math.MaxUint64 {
			return "", fmt.Errorf("no node id orders after %q", old)
		}
		low = o + 1
	}
	for {
		n, err := rand.Int(rand.Reader, new(big.Int).SetUint64(math.MaxUint64-low))
		if err != nil {
			return "", err
		}
		if id := fmt.Sprintf("%016x", low+n.Uint64()); id != old {
			return id, nil
		}
	}
}

// Rekey moves the pairing of a peer that took a new node id: from the
// first of former that is paired (or was retired here for an id that is),
// to id, with its cursors back at the start
// (the peer sends its log again, and is sent everything), and retires the
// old id. It reports false, changing nothing, when id is paired already or
// none of former is. It runs in the caller's transaction.
func (e *Engine) Rekey(ctx context.Context, id string, former []string) (bool, error) {
	if e.conn == nil {
		return false, ErrClosed
	}
	if _, err := e.Device(ctx, id); err == nil {
		return false, nil
	} else if !errors.Is(err, ErrUnknownDevice) {
		return false, err
	}
	devices, err := e.Devices(ctx)
	if err != nil {
		return false, err
	}
	paired := func(x string) bool { return slices.ContainsFunc(devices, func(d Device) bool { return d.ID == x }) }
	for _, f := range former {
		// An id retired here already was left for another, which the
		// device has lost again (restored from a backup older than its
		// last reset): the pairing is under the id that replaced it.
		for range changeset.MaxFormer {
			by, retired, err := e.Retired(ctx, f)
			if err != nil {
				return false, err
			}
			if !retired || paired(f) {
				break
			}
			f = by
		}
		if f == id || f == e.nodeID || !paired(f) {
			continue
		}
		err := e.exec(`UPDATE paired_devices SET device_id = ?1, acked_seq = 0, received_seq = 0, received_checks = NULL, confirmed_checks = NULL,
			pending_tables = NULL, pending_seq = NULL, sent_tables = NULL, last_seen = NULL WHERE device_id = ?2`, id, f)
		if err == nil {
			err = e.exec(`INSERT INTO retired_devices (device_id, new_id, retired_at) VALUES (?, ?, ?)
				ON CONFLICT DO UPDATE SET new_id = excluded.new_id, retired_at = excluded.retired_at`,
				f, id, e.now().UTC().Format(time.RFC3339Nano))
		}
		if err != nil {
			return false, fmt.Errorf("capture: move the pairing of %s to %s: %w", f, id, err)
		}
		e.log.Info().Str("old", f).Str("new", id).Msg("peer took a new node id; pairing moved")
		return true, nil
	}
	return false, nil
}

// Retired returns the node id that replaced id, if id is retired.
func (e *Engine) Retired(ctx context.Context, id string) (string, bool, error) {
	if e.conn == nil {
		return "", false, ErrClosed
	}
	var by string
	err := e.queryRow(`SELECT new_id FROM retired_devices WHERE device_id = ?`, []any{id}, func(s *sqlite3.Stmt) { by = s.ColumnText(0) })
	if errors.Is(err, errNoRow) {
		return "", false, nil
	}
	return by, err == nil, err
}

// RecordReceived notes, in the caller's transaction, that a changeset from
// peer was applied: it covered the peer's log up to seq, whose change there
// is stamped hlc, and confirmed the given checks sent to it. received_seq
// only grows; (seq, hlc) joins the checks to send back, in sequence order
// (a changeset delivered late still adds its point), and the confirmed
// ones leave, but for the newest, which stays to tell a copy by.
func (e *Engine) RecordReceived(ctx context.Context, peer string, seq, hlc int64, confirmed []changeset.Check) error {
	dev, err := e.Device(ctx, peer)
	if err != nil {
		return err
	}
	checks := insertCheck(dev.ReceivedChecks, changeset.Check{Seq: seq, HLC: hlc})
	if n := len(checks); n > 0 {
		newest := checks[n-1]
		checks = slices.DeleteFunc(checks, func(c changeset.Check) bool { return c != newest && slices.Contains(confirmed, c) })
	}
	err = e.exec(`UPDATE paired_devices SET received_seq = max(received_seq, ?), received_checks = ? WHERE device_id = ?`,
		seq, formatChecks(checks), peer)
	if err != nil {
		return fmt.Errorf("capture: record what %s sent: %w", peer, err)
	}
	return nil
}

// insertCheck returns checks with c in sequence order, unless c has no
// stamp or its sequence number is there already. Past MaxChecks, the
// second newest goes: the oldest reach furthest back, and the newest is
// the one a copy is told by.
func insertCheck(checks []changeset.Check, c changeset.Check) []changeset.Check {
	if c.Seq <= 0 || c.HLC == 0 || slices.ContainsFunc(checks, func(x changeset.Check) bool { return x.Seq == c.Seq }) {
		return checks
	}
	i, _ := slices.BinarySearchFunc(checks, c.Seq, func(x changeset.Check, seq int64) int { return cmp.Compare(x.Seq, seq) })
	checks = slices.Insert(slices.Clone(checks), i, c)
	if n := len(checks); n > changeset.MaxChecks {
		checks = slices.Delete(checks, n-2, n-1)
	}
	return checks
}

// witness returns the checks of the other paired devices' logs, to pass on
// to peer.
func (e *Engine) witness(ctx context.Context, peer string) ([]changeset.Witness, error) {
	devices, err := e.Devices(ctx)
	if err != nil {
		return nil, err
	}
	var out []changeset.Witness
	for _, d := range devices {
		for _, c := range d.ReceivedChecks {
			if d.ID != peer && len(out) < changeset.MaxWitness {
				out = append(out, changeset.Witness{Node: d.ID, Check: c})
			}
		}
	}
	return out, nil
}

// AddCheck adds, in the caller's transaction, a check of a paired
// device's log that another device passed on (changeset.Header.Witness),
// to send the device with the others. A device that is not paired, or a
// check whose sequence number is there already, changes nothing.
func (e *Engine) AddCheck(ctx context.Context, device string, c changeset.Check) error {
	dev, err := e.Device(ctx, device)
	if errors.Is(err, ErrUnknownDevice) {
		return nil
	} else if err != nil {
		return err
	}
	checks := insertCheck(dev.ReceivedChecks, c)
	if slices.Equal(checks, dev.ReceivedChecks) {
		return nil
	}
	if err := e.exec(`UPDATE paired_devices SET received_checks = ? WHERE device_id = ?`, formatChecks(checks), device); err != nil {
		return fmt.Errorf("capture: add a check of %s: %w", device, err)
	}
	return nil
}

// RecordConfirmed notes, in the caller's transaction, the checks of this
// device's log that peer sent and the log holds, to send back to it.
func (e *Engine) RecordConfirmed(ctx context.Context, peer string, confirmed []changeset.Check) error {
	if err := e.exec(`UPDATE paired_devices SET confirmed_checks = ? WHERE device_id = ?`, formatChecks(confirmed), peer); err != nil {
		return fmt.Errorf("capture: record the checks of %s confirmed: %w", peer, err)
	}
	return nil
}

// formatChecks writes checks as paired_devices.received_checks holds them.
func formatChecks(checks []changeset.Check) any {
	if len(checks) == 0 {
		return nil
	}
	parts := make([]string, len(checks))
	for i, c := range checks {
		parts[i] = strconv.FormatInt(c.Seq, 10) + ":" + strconv.FormatInt(c.HLC, 10)
	}
	return strings.Join(parts, ",")
}

// parseChecks reads paired_devices.received_checks; what does not parse is
// left out.
func parseChecks(text string) []changeset.Check {
	var out []changeset.Check
	for _, part := range strings.Split(text, ",") {
		seq, hlc, ok := strings.Cut(part, ":")
		s, err1 := strconv.ParseInt(seq, 10, 64)
		h, err2 := strconv.ParseInt(hlc, 10, 64)
		if ok && err1 == nil && err2 == nil {
			out = append(out, changeset.Check{Seq: s, HLC: h})
		}
	}
	return out
}
