#!/usr/bin/env bash
# Gaussian mixtures and cluster metrics: Segmenta against scikit-learn on the same data,
# 2 threads each. Prints a markdown table (medians of RUNS runs) and keeps it, with the
# raw JSON lines, in bench/out/gmm/ (git-ignored).
#
#   bench/cluster/gmm.sh [ROWS=1000000] [RUNS=3]
#
# Needs build/gmm_bench (cmake -DSEGMENTA_BUILD_BENCH=ON, target gmm_bench) and Debian's
# /usr/bin/python3 with scikit-learn and threadpoolctl. scikit-learn's full-covariance
# fit takes about 40 s a run on 1M rows.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROWS=${1:-1000000}
RUNS=${2:-3}
THREADS=2
OUT=bench/out/gmm
mkdir -p "$OUT"

if [[ ! -x build/gmm_bench ]]; then
  echo "build/gmm_bench is missing: cmake -B build -DSEGMENTA_BUILD_BENCH=ON && cmake --build build --target gmm_bench" >&2
  exit 1
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
build/gmm_bench generate "$OUT" "$ROWS"
build/gmm_bench run "$OUT" "$RUNS" "$THREADS" > "$OUT/segmenta.jsonl"
OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS \
  /usr/bin/python3 -W ignore bench/cluster/sklearn_gmm.py run "$OUT" "$RUNS" "$THREADS" \
  > "$OUT/sklearn.jsonl"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "## Gaussian mixtures and cluster metrics ($(date -u +%Y-%m-%d), $(nproc) cores, $THREADS threads each)"
  echo
  echo "Load average (1/5/15 min) before: $load_before; after: $load_after."
  echo
  /usr/bin/python3 bench/cluster/sklearn_gmm.py table "$OUT"
} | tee "$OUT/results.md"
