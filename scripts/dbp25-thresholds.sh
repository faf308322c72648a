#!/usr/bin/env bash
# The DBP25 authors' experiment 1.1 (p = 30): convergence probability against n at d = 10 ... D,
# n = d, 2d, ..., 20d, TRIALS repetitions per cell, one sweep per d into OUT/d<d>/.
#   bash scripts/dbp25-thresholds.sh [OUT=reports/dbp25] [TRIALS=20] [DMAX=40]
set -euo pipefail
OUT=${1:-reports/dbp25}; TRIALS=${2:-20}; DMAX=${3:-40}
cd "$(dirname "$0")/.."
for d in $(seq 10 10 "$DMAX"); do
  ns=$(seq -s, "$d" "$d" $((20 * d)))
  node bin/flowcheck.mjs sweep --claim weakly-interacting-convergence --vary d=$d --vary m=30 --vary n=$ns --trials "$TRIALS" --out "$OUT/d$d"
done
node --import tsx scripts/dbp25-table.ts "$OUT"
