#!/bin/bash
# Segmenta's k-means against scikit-learn's on identical data and initial centroids.
#
#   cmake -B build -DSEGMENTA_BUILD_BENCH=ON && cmake --build build --target kmeans_bench
#   bench/cluster/kmeans.sh                 # 1M × 8 and 10M × 8, k = 8, 3 runs each
#   RUNS=5 SIZES="1000000" bench/cluster/kmeans.sh
#
# Builds nothing. Data (overlapping Gaussian blobs) and greedy k-means++ initial centroids
# are written once by `kmeans_bench generate` as float64 .npy files under bench/out/kmeans/
# and read by both sides. Both use THREADS (2) threads. Rows of the table:
#   fixed-20  20 iterations exactly (max_iter 20, tol 0): per-iteration time, inertias
#             must agree (same start, same number of steps)
#   converged until no label changes (tol 0): the full fit, both sides
#   default   each side's default stopping rule (ours: relative inertia change < 1e-5;
#             scikit-learn: centre shift < 1e-4 · mean variance), iterations differ
# Medians of RUNS runs. "floor %" = bytes one iteration must read (rows · cols · sizeof)
# ÷ time, over the read bandwidth measured with THREADS threads (kmeans_bench bandwidth).
# Results: bench/out/kmeans/results.jsonl (all runs) and table.md (printed too).
set -euo pipefail

cd "$(dirname "$0")/../.."
BENCH=${BENCH:-build/kmeans_bench}
PYTHON=${PYTHON:-/usr/bin/python3}
RUNS=${RUNS:-3}
THREADS=${THREADS:-2}
SIZES=${SIZES:-"1000000 10000000"}
OUT=bench/out/kmeans
if [[ ! -x $BENCH ]]; then
  echo "kmeans.sh: $BENCH is missing; build it with -DSEGMENTA_BUILD_BENCH=ON" >&2
  exit 1
fi
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
export OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=1

echo "load before: $(cat /proc/loadavg)" >&2
"$BENCH" bandwidth --threads "$THREADS" | tee -a "$RESULTS" >&2

ours() {  # ours <data> <init> <label> <type> <algorithm> <max-iter> <tol>
  "$BENCH" fit --data "$1" --init "$2" --type "$4" --algorithm "$5" --max-iter "$6" \
    --tol "$7" --runs "$RUNS" --threads "$THREADS" | sed "s/^{/{\"case\": \"$3\", /"
}
theirs() {  # theirs <data> <init> <label> <algorithm> <max-iter> <tol>
  "$PYTHON" bench/cluster/sklearn_kmeans.py --data "$1" --init "$2" --algorithm "$4" \
    --max-iter "$5" --tol "$6" --runs "$RUNS" --threads "$THREADS" |
    sed "s/^{/{\"case\": \"$3\", /"
}

for rows in $SIZES; do
  data=$OUT/x_${rows}x8.npy init=$OUT/init_${rows}x8.npy
  if [[ ! -f $data || ! -f $init ]]; then
    echo "generating $rows × 8" >&2
    "$BENCH" generate --rows "$rows" --cols 8 --k 8 --seed 1 --data "$data" --init "$init"
  fi
  echo "$rows rows: seeding, fixed-20, converged, default (load $(cat /proc/loadavg))" >&2
  "$BENCH" seed --data "$data" --k 8 --runs "$RUNS" --threads "$THREADS" >>"$RESULTS"
  {
    ours "$data" "$init" fixed-20 f64 hamerly 20 0
    ours "$data" "$init" fixed-20 f64 lloyd 20 0
    ours "$data" "$init" fixed-20 f32 hamerly 20 0
    theirs "$data" "$init" fixed-20 lloyd 20 0
    theirs "$data" "$init" fixed-20 elkan 20 0
    ours "$data" "$init" converged f64 hamerly 300 0
    ours "$data" "$init" converged f32 hamerly 300 0
    theirs "$data" "$init" converged lloyd 300 0
    ours "$data" "$init" default f64 hamerly 300 1e-4
    theirs "$data" "$init" default lloyd 300 1e-4
  } | tee -a "$RESULTS" >/dev/null
done
echo "load after: $(cat /proc/loadavg)" >&2

"$PYTHON" - "$RESULTS" <<'EOF' | tee "$OUT/table.md"
import json, statistics, sys

lines = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
bandwidth = next(line["gb_per_s"] for line in lines if line.get("what") == "bandwidth")
seeding = {}
groups = {}
for line in lines:
    if line.get("what") == "seeding":
        seeding.setdefault(line["rows"], []).append(line["seconds"])
    elif "case" in line:
        key = (line["rows"], line["case"], line["impl"], line["algorithm"], line["type"])
        groups.setdefault(key, []).append(line)

def median(runs, field):
    return statistics.median(run[field] for run in runs if field in run)

print(f"Read bandwidth ({lines[0]['threads']} threads): {bandwidth:.1f} GB/s\n")
print("| rows | case | impl | algorithm | type | iterations | fit s | per-iter ms "
      "| first ms | later ms | vs sklearn lloyd | floor % | inertia | rel. diff |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for key in sorted(groups, key=lambda k: (k[0], ["fixed-20", "converged", "default"].index(k[1]))):
    rows, case, impl, algorithm, kind = key
    runs = groups[key]
    baseline = groups.get((rows, case, "sklearn", "lloyd", "f64"))
    per_iter = median(runs, "per_iteration_ms")
    ratio = median(baseline, "per_iteration_ms") / per_iter if baseline else float("nan")
    width = 4 if kind == "f32" else 8
    floor = rows * runs[0]["cols"] * width / (per_iter / 1e3) / 1e9 / bandwidth * 100
    inertia = runs[0]["inertia"]
    diff = abs(inertia - baseline[0]["inertia"]) / baseline[0]["inertia"] if baseline else 0
    first = f"{median(runs, 'first_iteration_ms'):.2f}" if impl == "segmenta" else ""
    later = f"{median(runs, 'later_iteration_ms'):.2f}" if impl == "segmenta" else ""
    print(f"| {rows:,} | {case} | {impl} | {algorithm} | {kind} | {runs[0]['iterations']} "
          f"| {median(runs, 'seconds'):.3f} | {per_iter:.2f} | {first} | {later} "
          f"| {ratio:.1f}× | {floor:.0f} | {inertia:.10g} | {diff:.1e} |")
for rows, seconds in sorted(seeding.items()):
    print(f"\nGreedy k-means++ seeding, {rows:,} × 8, k = 8: {statistics.median(seconds):.3f} s")
EOF
