package lww

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
)

// ErrPeerForked: the changeset's origin is a database whose change log is
// not the one received from that node id before. It was restored from a
// backup or copied, and signs with an id its device has left
// (capture.ErrRetired) or shares with another database. Nothing is
// applied; that database must be reset (capture.Engine.Reset), and paired
// again if its id was retired.
var ErrPeerForked = errors.New("the sending database's change log is not the one received from its node id: it was restored from a backup or copied")

// sender says how a changeset's origin stands with this device, from what
// can be checked before the apply's transaction.
type sender struct {
	// rekey: the origin is not paired, but is paired under one of the
	// former ids its header lists: the pairing moves to it first.
	rekey bool
	// stale: the changeset is addressed to one of this device's former
	// ids. Its records merge like any others, but its acknowledgement is
	// of the log as it was then, and moves no cursor.
	stale bool
	// former are the ids the pairing may move from (rekey): the header's,
	// or only the authenticated sender's (Options.From).
	former []string
}

// admit checks a changeset's header against this device's identity and
// its pairings.
func admit(ctx context.Context, e *capture.Engine, h changeset.Header, from string) (sender, error) {
	s := sender{former: h.Former}
	if from != "" && h.Origin != from {
		// A device that took a new id speaks for its old one, and only
		// for it.
		if !slices.Contains(h.Former, from) {
			return s, fmt.Errorf("changeset from %s, sent by %s: %w", h.Origin, from, ErrWrongSender)
		}
		s.former = []string{from}
	}
	former, err := e.FormerIDs(ctx)
	if err != nil {
		return s, err
	}
	switch {
	case h.Origin == e.NodeID():
		return s, ErrOwnChangeset
	case slices.Contains(former, h.Origin):
		return s, fmt.Errorf("changeset from %s, which this device left for %s: %w: %w", h.Origin, e.NodeID(), capture.ErrRetired, ErrPeerForked)
	case h.To != "" && h.To != e.NodeID():
		if !slices.Contains(former, h.To) {
			return s, fmt.Errorf("changeset for %s, this is %s: %w", h.To, e.NodeID(), ErrNotForThisDevice)
		}
		s.stale = true
	}
	if by, retired, err := e.Retired(ctx, h.Origin); err != nil {
		return s, err
	} else if retired {
		return s, fmt.Errorf("changeset from %s, which became %s: %w: %w", h.Origin, by, capture.ErrRetired, ErrPeerForked)
	}
	_, err = e.Device(ctx, h.Origin)
	if from != "" && h.Origin != from && err == nil {
		// A paired origin speaks for itself: the sender may only be
		// taking a new id that is not paired yet.
		return s, fmt.Errorf("changeset from %s, which is paired, sent by %s: %w", h.Origin, from, ErrWrongSender)
	}
	if errors.Is(err, capture.ErrUnknownDevice) && len(h.Former) > 0 {
		s.rekey = true
		return s, nil
	}
	return s, err
}

// checkLogs, inside the apply's transaction, moves the origin's pairing if
// it took a new node id, then checks that its log is the one received from
// it before (ErrPeerForked), and that what it received of this device's
// log is in the log (capture.ErrForked).
func (a *applier) checkLogs(ctx context.Context, h changeset.Header, s sender) error {
	e := a.e
	if s.rekey {
		moved, err := e.Rekey(ctx, h.Origin, s.former)
		if err != nil {
			return err
		}
		if !moved {
			return fmt.Errorf("%s: %w", h.Origin, capture.ErrUnknownDevice)
		}
	}
	dev, err := e.Device(ctx, h.Origin)
	if err != nil {
		return err
	}
	for _, c := range dev.ReceivedChecks {
		if h.UpToSeq == c.Seq && h.UpToHLC != 0 && h.UpToHLC != c.HLC {
			return fmt.Errorf("%s's change %d is stamped %s, and was %s when received before: %w",
				h.Origin, h.UpToSeq, capture.HLC(h.UpToHLC), capture.HLC(c.HLC), ErrPeerForked)
		}
	}
	// What the origin passes on of other devices' logs: checks of this
	// device's log are checked now; those of devices paired here are
	// added to the checks sent to them. Checks of an id this device had
	// before are of a log it has left.
	former, err := e.FormerIDs(ctx)
	if err != nil {
		return err
	}
	var own []changeset.Check
	for _, w := range h.Witness {
		switch {
		case w.Node == e.NodeID():
			own = append(own, w.Check)
		case w.Node == h.Origin || slices.Contains(former, w.Node):
		default:
			if err := e.AddCheck(ctx, w.Node, w.Check); err != nil {
				return err
			}
		}
	}
	if _, err := e.CheckLog(ctx, h.Origin+" (passed on)", own); err != nil {
		return err
	}
	if s.stale {
		return nil
	}
	confirmed, err := e.CheckLog(ctx, h.Origin, h.Checks)
	if err != nil {
		return err
	}
	return e.RecordConfirmed(ctx, h.Origin, confirmed)
}
