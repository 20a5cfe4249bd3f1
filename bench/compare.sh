#!/usr/bin/env bash
# Runs the cr-sqlite peer benchmark (../shared/peers/crsqlite/run.sh, relative
# to the repo root; it installs what it needs with npm and needs Node >= 18)
# and this runner on the same workload, then prints the captured/plain ratios
# side by side, and the merge figures (time per merged change over time per
# plain update). Only ratios compare: the peer runs a WASM SQLite under Node,
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

echo "== capture: go run ./bench -cases update,insert,merge -n $N -runs $RUNS -json  (raw output: $LOG_DIR/capture.jsonl)" >&2
go run ./bench -cases update,insert,merge -n "$N" -runs "$RUNS" -json | tee "$LOG_DIR/capture.jsonl" >&2

# cr-sqlite prints e.g. "update ratio C/P : median 4.31  (per run: ...)".
peer() { sed -n "s/^$1 ratio C\/P : median \([0-9.]*\).*/\1/p" "$LOG_DIR/crsqlite.txt"; }
peer_runs() { sed -n "s/^$1 ratio C\/P : median [0-9.]*  (per run: \(.*\))/\1/p" "$LOG_DIR/crsqlite.txt"; }
merge=$(sed -n 's/^merge apply ratio .*: median \([0-9.]*\).*/\1/p' "$LOG_DIR/crsqlite.txt")
merge_runs=$(sed -n 's/^merge apply ratio .*: median [0-9.]*  (per run: \(.*\))/\1/p' "$LOG_DIR/crsqlite.txt")
# this runner prints one JSON object per case: {"name":"update",...,"ratio":3.9,"ratio_runs":[...],...}
ours() { sed -n "s/^{\"name\":\"$1\".*\"ratio\":\([0-9.]*\),.*/\1/p" "$LOG_DIR/capture.jsonl"; }
ours_runs() {
  sed -n "s/^{\"name\":\"$1\".*\"ratio_runs\":\[\([^]]*\)\].*/\1/p" "$LOG_DIR/capture.jsonl" |
    awk -F, '{ for (i = 1; i <= NF; i++) printf "%s%.2f", (i > 1 ? ", " : ""), $i }'
}

# the merge case's ratio against run.sh's baseline (UPDATE t SET a, id order) is in its extra
ours_extra() { sed -n "s/^{\"name\":\"$1\".*\"$2\":\([0-9.]*\)[,}].*/\1/p" "$LOG_DIR/capture.jsonl"; }
ours_extra_runs() {
  sed -n "s/^{\"name\":\"$1\".*\"$2\":\[\([^]]*\)\].*/\1/p" "$LOG_DIR/capture.jsonl" |
    awk -F, '{ for (i = 1; i <= NF; i++) printf "%s%.2f", (i > 1 ? ", " : ""), $i }'
}

for v in "$(peer update)" "$(peer insert)" "$(ours update)" "$(ours insert)" "$(ours merge)" "$(ours_extra merge ratio_vs_seq_update)"; do
  if [ -z "$v" ]; then
    echo "compare.sh: could not read a ratio from the outputs in $LOG_DIR" >&2
    exit 1
  fi
done

printf '\ncaptured/plain time, median of %s runs, %s rows, 1000 statements per transaction, WAL, synchronous=NORMAL\n\n' "$RUNS" "$N"
printf '| %-12s | %-44s | %-40s |\n' "operation" "capture (this repo)" "cr-sqlite 0.16 (WASM, Node)"
printf '|%s|%s|%s|\n' "--------------" "----------------------------------------------" "------------------------------------------"
printf '| %-12s | %-44s | %-40s |\n' "update" "$(printf '%.2f (runs: %s)' "$(ours update)" "$(ours_runs update)")" "$(peer update) (runs: $(peer_runs update))"
printf '| %-12s | %-44s | %-40s |\n' "insert" "$(printf '%.2f (runs: %s)' "$(ours insert)" "$(ours_runs insert)")" "$(peer insert) (runs: $(peer_runs insert))"
printf '| %-12s | %-44s | %-40s |\n' "merge apply" "$(printf '%.2f (runs: %s)' "$(ours_extra merge ratio_vs_seq_update)" "$(ours_extra_runs merge ratio_vs_seq_update_runs)")" "${merge:-?} (runs: ${merge_runs:-?})"
printf '| %-12s | %-44s | %-40s |\n' "  same edits" "$(printf '%.2f (runs: %s)' "$(ours merge)" "$(ours_runs merge)")" "-"
cat <<'EOF_NOTE'

merge apply: time per merged change over time per plain UPDATE t SET a = ? WHERE id = ? in id order,
1000 per transaction (run.sh's baseline, the denominator of cr-sqlite's figure). cr-sqlite applies N
changes of column a in id order, all winning, 1000 per transaction; capture applies N single-field
changes in one lww.Apply (random rows and columns, 1 in 4 losing to a newer edit on the receiver).
"same edits": capture's apply against the same N edits made as plain UPDATEs (same rows, order and
columns, 1000 per transaction), the runner's own ratio for the merge case.
EOF_NOTE
