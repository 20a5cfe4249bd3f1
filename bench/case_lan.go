package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/lan"
)

// A desktop's sync service on loopback, for the lan cases.
type lanDesk struct {
	srv    *lan.Server
	addr   string
	rounds chan lan.RoundInfo
	stop   func() error
}

// serveLoopback serves e's database on 127.0.0.1.
func serveLoopback(ctx context.Context, e *capture.Engine) (*lanDesk, error) {
	d := &lanDesk{rounds: make(chan lan.RoundInfo, 8)}
	var err error
	if d.srv, err = lan.NewServer(ctx, e, lan.ServerOptions{OnRound: func(r lan.RoundInfo) { d.rounds <- r }}); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d.addr = ln.Addr().String()
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.srv.Serve(sctx, ln) }()
	d.stop = func() error { cancel(); return errors.Join(<-done, d.srv.Close()) }
	return d, nil
}

// pair pairs phone with the desktop by a code.
func (d *lanDesk) pair(ctx context.Context, phone *capture.Engine) error {
	code, err := d.srv.NewCode()
	if err != nil {
		return err
	}
	_, err = lan.Pair(ctx, phone, d.addr, code, lan.ClientOptions{Name: "bench phone", Platform: "bench"})
	return err
}

// round runs a sync round of phone and waits for the desktop to be done.
func (d *lanDesk) round(ctx context.Context, phone *capture.Engine) (lan.Round, lan.RoundInfo, error) {
	r, err := lan.Sync(ctx, phone, d.addr, lan.SyncOptions{})
	if err != nil {
		return r, lan.RoundInfo{}, err
	}
	return r, <-d.rounds, nil
}

// caseLANFirstSync: the first-sync case over the network: a new phone
// pairs by code with the desktop's service on loopback TLS and runs its
// first round, timed, against the in-process streamed first sync (export
// piped into apply) in the same run.
func caseLANFirstSync(ctx context.Context, cfg *Config) ([]Result, error) {
	const name = "lan-first-sync"
	n := cfg.N
	if n < 1 || cfg.Runs < 1 {
		return nil, fmt.Errorf("%s: row count and runs must be at least 1, got %d and %d", name, n, cfg.Runs)
	}
	desk, want, err := buildDiscoveryDesktop(ctx, cfg, name, n)
	if err != nil {
		return nil, err
	}
	defer desk.drop()
	var lanMS, streamedMS, ratios []float64
	var wire, raw, records int64
	for run := 1; run <= cfg.Runs; run++ {
		_, tsd, err := streamedRun(ctx, cfg, desk, run, want)
		if err != nil {
			return nil, fmt.Errorf("%s: run %d: streamed: %w", name, run, err)
		}
		took, info, err := lanFirstSyncRun(ctx, cfg, desk, run, want)
		if err != nil {
			return nil, fmt.Errorf("%s: run %d: %w", name, run, err)
		}
		lanMS, streamedMS = append(lanMS, ms(took)), append(streamedMS, ms(tsd))
		ratios = append(ratios, ms(took)/ms(tsd))
		wire, raw, records = info.BytesOut, info.ChangesetOut, info.Sent.Rows+info.Sent.Fields
		cfg.logf("%s: run %d/%d: %.2f s over loopback TLS, %.2f s streamed in process; %d bytes on the wire for a %d-byte changeset",
			name, run, cfg.Runs, ms(took)/1000, ms(tsd)/1000, wire, raw)
	}
	ratio := median(ratios)
	return []Result{{
		Name: name, N: n, Runs: cfg.Runs, Ratio: &ratio, RatioRuns: ratios,
		PlainMS: median(streamedMS), CapturedMS: median(lanMS), OpsPerSec: perSecond(int(records), median(lanMS)),
		Extra: map[string]any{"seconds": median(lanMS) / 1000, "streamed_seconds": median(streamedMS) / 1000,
			"wire_bytes": wire, "changeset_bytes": raw, "wire_share": float64(wire) / float64(raw)},
		Note: fmt.Sprintf("ratio: over loopback TLS / streamed in process (target 1.3); %d of %d changeset bytes on the wire (%.0f%%; target at most 50%%)",
			wire, raw, 100*float64(wire)/float64(raw)),
	}}, nil
}

// lanFirstSyncRun pairs a new phone with the desktop's service and times
// its first round.
func lanFirstSyncRun(ctx context.Context, cfg *Config, desk *db, run int, want map[string]int64) (time.Duration, lan.RoundInfo, error) {
	phone, err := openPhone(ctx, cfg.path(fmt.Sprintf("lan-first-sync-phone-%d.db", run)))
	if err != nil {
		return 0, lan.RoundInfo{}, err
	}
	defer phone.drop()
	ld, err := serveLoopback(ctx, desk.engine)
	if err != nil {
		return 0, lan.RoundInfo{}, err
	}
	defer ld.stop()
	if err := ld.pair(ctx, phone.engine); err != nil {
		return 0, lan.RoundInfo{}, err
	}
	stop := startProfile(fmt.Sprintf("lan-first-sync-%d", run))
	start := time.Now()
	r, info, err := ld.round(ctx, phone.engine)
	took := time.Since(start)
	stop()
	if err != nil {
		return 0, info, err
	}
	if r.Received.Lost != 0 || r.Received.Parked != 0 || r.Received.Won != r.Received.Records {
		return 0, info, fmt.Errorf("%d read, %d won, %d lost, %d parked", r.Received.Records, r.Received.Won, r.Received.Lost, r.Received.Parked)
	}
	// The desktop's records are the pairing's acknowledgement and this.
	if err := desk.engine.Unpair(ctx, phone.engine.NodeID()); err != nil {
		return 0, info, err
	}
	return took, info, checkPhone(phone, "phone", want)
}

// caseLANRound: rounds with one changed field each way, over loopback TLS,
// between a desktop and a phone that share a few releases: the median and
// p99 latency of a round.
func caseLANRound(ctx context.Context, cfg *Config) ([]Result, error) {
	const name = "lan-round"
	rounds := 200
	desk, err := openApp(ctx, cfg.path(name+"-desktop.db"), true)
	if err != nil {
		return nil, err
	}
	defer desk.drop()
	phone, err := openPhone(ctx, cfg.path(name+"-phone.db"))
	if err != nil {
		return nil, err
	}
	defer phone.drop()
	if err := desk.conn.Exec(`INSERT INTO discovery_releases (id, url, title, date_added, date_modified) VALUES ('r1', 'u1', 'T', 'd', 'd')`); err != nil {
		return nil, err
	}
	ld, err := serveLoopback(ctx, desk.engine)
	if err != nil {
		return nil, err
	}
	defer ld.stop()
	if err := ld.pair(ctx, phone.engine); err != nil {
		return nil, err
	}
	for range 3 { // the first round brings the release; then steady state
		if _, _, err := ld.round(ctx, phone.engine); err != nil {
			return nil, err
		}
	}
	var lat []float64
	for i := range rounds {
		if err := desk.conn.Exec(fmt.Sprintf(`UPDATE discovery_releases SET label = 'd%d'`, i)); err != nil {
			return nil, err
		}
		if err := phone.conn.Exec(fmt.Sprintf(`UPDATE discovery_releases SET notes = 'p%d'`, i)); err != nil {
			return nil, err
		}
		start := time.Now()
		r, _, err := ld.round(ctx, phone.engine)
		lat = append(lat, ms(time.Since(start)))
		if err != nil {
			return nil, err
		}
		if r.Received.Won != 1 {
			return nil, fmt.Errorf("%s: round %d: %d records won, want the desktop's one edit", name, i, r.Received.Won)
		}
	}
	sorted := slices.Sorted(slices.Values(lat))
	p99 := sorted[len(sorted)*99/100]
	med := median(lat)
	return []Result{{
		Name: name, N: rounds, Runs: 1, CapturedMS: med, CapturedUSPerOp: med * 1000, OpsPerSec: perSecond(1, med),
		Extra: map[string]any{"median_ms": med, "p99_ms": p99},
		Note:  fmt.Sprintf("a round with one changed field each way over loopback TLS: median %.1f ms, p99 %.1f ms (target under 20 ms)", med, p99),
	}}, nil
}
