#!/usr/bin/env bash
# Runs the cr-sqlite peer benchmark (../shared/peers/crsqlite/run.sh, relative
# to the repo root; it installs what it needs with npm and needs Node >= 18)
# and this runner on the same workload, then prints the captured/plain ratios
# side by side. Only ratios compare: the peer runs a WASM SQLite under Node,
# this runner a Go translation of SQLite in the Go process.
#
# Usage: bash bench/compare.sh [N=100000] [RUNS=3]
#   env: PEER (default ../shared/peers/crsqlite/run.sh), LOG_DIR (default a temp dir; the raw outputs are kept there)
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-100000}
RUNS=${2:-3}
PEER=${PEER:-../shared/peers/crsqlite/run.sh}
LOG_DIR=${LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/capture-compare-XXXXXX")}
mkdir -p "$LOG_DIR"

if [ ! -f "$PEER" ]; then
  echo "compare.sh: peer benchmark $PEER not found (run from a checkout next to ../shared)" >&2
  exit 1
fi

echo "== cr-sqlite peer: bash $PEER $N $RUNS disk  (raw output: $LOG_DIR/crsqlite.txt)" >&2
bash "$PEER" "$N" "$RUNS" disk | tee "$LOG_DIR/crsqlite.txt" >&2

echo "== capture: go run ./bench -cases update,insert -n $N -runs $RUNS -json  (raw output: $LOG_DIR/capture.jsonl)" >&2
go run ./bench -cases update,insert -n "$N" -runs "$RUNS" -json | tee "$LOG_DIR/capture.jsonl" >&2

# cr-sqlite prints e.g. "update ratio C/P : median 4.31  (per run: ...)".
peer() { sed -n "s/^$1 ratio C\/P : median \([0-9.]*\).*/\1/p" "$LOG_DIR/crsqlite.txt"; }
peer_runs() { sed -n "s/^$1 ratio C\/P : median [0-9.]*  (per run: \(.*\))/\1/p" "$LOG_DIR/crsqlite.txt"; }
merge=$(sed -n 's/^merge apply ratio .*: median \([0-9.]*\).*/\1/p' "$LOG_DIR/crsqlite.txt")
# this runner prints one JSON object per case: {"name":"update",...,"ratio":3.9,"ratio_runs":[...],...}
ours() { sed -n "s/^{\"name\":\"$1\".*\"ratio\":\([0-9.]*\),.*/\1/p" "$LOG_DIR/capture.jsonl"; }
ours_runs() {
  sed -n "s/^{\"name\":\"$1\".*\"ratio_runs\":\[\([^]]*\)\].*/\1/p" "$LOG_DIR/capture.jsonl" |
    awk -F, '{ for (i = 1; i <= NF; i++) printf "%s%.2f", (i > 1 ? ", " : ""), $i }'
}

for v in "$(peer update)" "$(peer insert)" "$(ours update)" "$(ours insert)"; do
  if [ -z "$v" ]; then
    echo "compare.sh: could not read a ratio from the outputs in $LOG_DIR" >&2
    exit 1
  fi
done

printf '\ncaptured/plain time, median of %s runs, %s rows, 1000 statements per transaction, WAL, synchronous=NORMAL\n\n' "$RUNS" "$N"
printf '| %-12s | %-32s | %-34s |\n' "operation" "capture (this repo)" "cr-sqlite 0.16 (WASM, Node)"
printf '|%s|%s|%s|\n' "--------------" "----------------------------------" "------------------------------------"
printf '| %-12s | %-32s | %-34s |\n' "update" "$(printf '%.2f (runs: %s)' "$(ours update)" "$(ours_runs update)")" "$(peer update) (runs: $(peer_runs update))"
printf '| %-12s | %-32s | %-34s |\n' "insert" "$(printf '%.2f (runs: %s)' "$(ours insert)" "$(ours_runs insert)")" "$(peer insert) (runs: $(peer_runs insert))"
printf '| %-12s | %-32s | %-34s |\n' "merge apply" "not measured yet (merge package)" "${merge:-?} (per change / plain update)"
