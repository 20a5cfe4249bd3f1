package main

import (
	"context"
	"fmt"
)

// caseGrowth runs the update case at each of cfg.Sizes rows, to show how
// the per-change cost moves as the table (and its change log) grows. Each
// size is one result, named growth-<rows>.
func caseGrowth(ctx context.Context, cfg *Config) ([]Result, error) {
	if len(cfg.Sizes) == 0 {
		return nil, fmt.Errorf("growth: no sizes")
	}
	var out []Result
	for _, n := range cfg.Sizes {
		r, err := updateAt(ctx, cfg, fmt.Sprintf("growth-%d", n), n)
		if err != nil {
			return nil, err
		}
		r.Note = fmt.Sprintf("captured %.2f µs/update", r.CapturedUSPerOp)
		out = append(out, r)
	}
	return out, nil
}
