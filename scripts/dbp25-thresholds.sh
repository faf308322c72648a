#!/usr/bin/env bash
# The DBP25 authors' threshold experiments, reduced: convergence probability against n
#  - exp 1.1: p = 30, d = 10 ... DMAX, n = d, 2d, ..., 20d (one sweep per d into OUT/d<d>/);
#  - against the width: d = 30, p in PS, n = 30, 60, ..., 600 (one sweep per p into OUT/p<p>/).
# TRIALS repetitions per cell; then the table and thresholds (OUT/thresholds.md).
#   bash scripts/dbp25-thresholds.sh [OUT=reports/dbp25] [TRIALS=20] [DMAX=40] [PS="10 20 30 40"]
set -euo pipefail
OUT=${1:-reports/dbp25}; TRIALS=${2:-20}; DMAX=${3:-40}; PS=${4:-"10 20 30 40"}
cd "$(dirname "$0")/.."
for d in $(seq 10 10 "$DMAX"); do
  ns=$(seq -s, "$d" "$d" $((20 * d)))
  node bin/flowcheck.mjs sweep --claim weakly-interacting-convergence --vary d=$d --vary m=30 --vary n=$ns --trials "$TRIALS" --out "$OUT/d$d"
done
for p in $PS; do
  node bin/flowcheck.mjs sweep --claim weakly-interacting-convergence --vary d=30 --vary m=$p --vary n=$(seq -s, 30 30 600) --trials "$TRIALS" --out "$OUT/p$p"
done
node --import tsx scripts/dbp25-table.ts "$OUT"
