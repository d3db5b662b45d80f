#!/usr/bin/env bash
# BG/NBD fits (and Gamma–Gamma + predictions) by Segmenta against the scipy fit a data
# scientist would write (bench/value/bgnbd_scipy.py), on CDNOW (2,357 customers) and on
# simulated customers (1M and 10M with the CDNOW parameters). bench/README.md, "Value
# models", has the results.
#
#   cmake -S . -B build -DSEGMENTA_BUILD_BENCH=ON && cmake --build build -j2 --target value_bench
#   bench/value/run.sh                       # RUNS=5 SIZES="cdnow 1000000 10000000"
#   RUNS=3 SIZES="cdnow 1000000" bench/value/run.sh
#
# Builds nothing. Writes bench/out/value/customers-N-seedS.csv once (value_bench simulate,
# SEED 1; kept for later runs), then per size, RUNS times interleaved:
#   segmenta  value_bench fit: BG/NBD fit, Gamma–Gamma fit, Predict (horizon 90/7 weeks,
#             CLV 12 months) — all cores (2) and, for comparison with single-core numpy,
#             --threads 1; CDNOW repeats each fit INNER_CDNOW (21) times in the process
#   total     value_bench total under /usr/bin/time -v: read + fit + fit + predict in a
#             fresh process, its peak RSS ("Maximum resident set size")
#   scipy     bgnbd_scipy.py (L-BFGS-B, analytic gradient, scipy's default tolerances),
#             under /usr/bin/time for its RSS
#   tight     the same with tolerances tight enough to reach Segmenta's optimum
#   (scipy and tight at 10M only SCIPY_10M_RUNS (1) time(s), each killed after
#   SCIPY_TIMEOUT (600) s)
#   numeric   bgnbd_scipy.py --gradient numeric (finite differences), CDNOW and 1M, once
# Medians over the runs. All JSON lines: bench/out/value/results.jsonl; the table:
# bench/out/value/results.md (printed too).
set -euo pipefail
cd "$(dirname "$(realpath "$0")")/../.."

BENCH=${BENCH:-build/value_bench}
PYTHON=${PYTHON:-/usr/bin/python3}
RUNS=${RUNS:-5}
SIZES=${SIZES:-"cdnow 1000000 10000000"}
INNER_CDNOW=${INNER_CDNOW:-21}
SEED=${SEED:-1}
SCIPY_10M_RUNS=${SCIPY_10M_RUNS:-1}
SCIPY_TIMEOUT=${SCIPY_TIMEOUT:-600}
CDNOW=${CDNOW:-../shared/data/cdnow/cdnow_customers_summary_with_transactions.csv}
OUT=bench/out/value
if [[ ! -x $BENCH ]]; then
  echo "run.sh: $BENCH is missing: cmake -S . -B build -DSEGMENTA_BUILD_BENCH=ON &&" \
    "cmake --build build -j2 --target value_bench" >&2
  exit 1
fi
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
cores=$(nproc)  # before OMP_NUM_THREADS, which nproc obeys
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1  # numpy's element-wise work is 1 core anyway

note() {  # note <json fields without braces>: one line of context into the results
  echo "{$1}" >>"$RESULTS"
}
tag() {  # tag <size> <run> <label>: prefixes each JSON line read from stdin
  sed "s/^{/{\"size\": \"$1\", \"run\": $2, \"label\": \"$3\", /" >>"$RESULTS"
}
rss_kib() {  # rss_kib <time -v output file>
  awk -F': ' '/Maximum resident set size/ {print $2}' "$1"
}

dirty=$(git status --porcelain -- src include | wc -l)  # changed or new, not committed
note "\"what\": \"context\", \"commit\": \"$(git rev-parse --short HEAD)\", \"dirty_files\": $dirty, \"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"cpu\": \"$(lscpu | sed -n 's/^Model name: *//p')\", \"cores\": $cores, \"load_before\": \"$(cut -d' ' -f1-3 /proc/loadavg)\""

for size in $SIZES; do
  if [[ $size == cdnow ]]; then
    data=$CDNOW inner=$INNER_CDNOW
  else
    data=$OUT/customers-$size-seed$SEED.csv inner=1
    if [[ ! -f $data ]]; then
      echo "simulating $size customers" >&2
      "$BENCH" simulate --customers "$size" --out "$data" --seed "$SEED" >&2
    fi
  fi
  echo "$size: $RUNS runs (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  for run in $(seq 1 "$RUNS"); do
    "$BENCH" fit --summary "$data" --repeat "$inner" | tag "$size" "$run" segmenta
    "$BENCH" fit --summary "$data" --repeat "$inner" --threads 1 | tag "$size" "$run" segmenta-1t
    /usr/bin/time -v -o "$OUT/time-total.txt" "$BENCH" total --summary "$data" >"$OUT/total.json"
    sed "s/}\$/, \"peak_rss_kib\": $(rss_kib "$OUT/time-total.txt")}/" "$OUT/total.json" |
      tag "$size" "$run" total
    if [[ $size == 10000000 && $run -gt $SCIPY_10M_RUNS ]]; then continue; fi
    echo "  run $run: scipy (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    for tolerance in default tight; do
      label=scipy
      [[ $tolerance == tight ]] && label=scipy-tight
      if timeout "$SCIPY_TIMEOUT" /usr/bin/time -v -o "$OUT/time-scipy.txt" "$PYTHON" \
        bench/value/bgnbd_scipy.py --summary "$data" --repeat "$inner" --tolerance "$tolerance" \
        >"$OUT/scipy.json"; then
        sed "s/}\$/, \"peak_rss_kib\": $(rss_kib "$OUT/time-scipy.txt")}/" "$OUT/scipy.json" |
          tag "$size" "$run" "$label"
      else
        note "\"size\": \"$size\", \"run\": $run, \"label\": \"$label\", \"failed\": \"exit $? (124: over ${SCIPY_TIMEOUT} s)\""
      fi
    done
    if [[ $run == 1 && $size != 10000000 ]]; then
      "$PYTHON" bench/value/bgnbd_scipy.py --summary "$data" --repeat "$inner" --gradient numeric |
        tag "$size" "$run" scipy-numeric
    fi
  done
done
note "\"what\": \"context\", \"load_after\": \"$(cut -d' ' -f1-3 /proc/loadavg)\""

"$PYTHON" - "$RESULTS" <<'EOF' | tee "$OUT/results.md"
import json, statistics, sys

lines = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
context = {}
for line in lines:
    if line.get("what") == "context":
        context.update(line)
groups = {}
for line in lines:
    if "label" in line and "failed" not in line:
        groups.setdefault((line["size"], line["label"]), []).append(line)

def med(size, label, field):
    runs = groups.get((size, label), [])
    values = [run[field] for run in runs if field in run]
    return statistics.median(values) if values else float("nan")

def ms(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"

sizes = []
for line in lines:
    if "size" in line and line["size"] not in sizes:
        sizes.append(line["size"])
run_counts = ", ".join(f"{size} {len(groups.get((size, 'segmenta'), []))}" for size in sizes)
print(f"Commit {context.get('commit')} ({context.get('dirty_files')} files of src/ and include/ "
      f"changed or new in the working tree), {context.get('date')}, {context.get('cpu')}, "
      f"{context.get('cores')} cores; load average before {context.get('load_before')}, "
      f"after {context.get('load_after')}. Medians over runs "
      f"(runs per size: {run_counts}).\n")
print("| customers | distinct (x, t_x, T) | Segmenta BG/NBD fit | (1 thread) | scipy fit "
      "| scipy ÷ Segmenta | scipy to Segmenta's optimum | ÷ Segmenta | scipy, numeric gradient "
      "| Gamma–Gamma fit | predict | fit + fit + predict | peak RSS Segmenta | peak RSS scipy |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for size in sizes:
    first = groups[(size, "segmenta")][0]
    ours, ours1 = med(size, "segmenta", "bgnbd_fit_s"), med(size, "segmenta-1t", "bgnbd_fit_s")
    theirs = med(size, "scipy", "bgnbd_fit_s")
    tight = med(size, "scipy-tight", "bgnbd_fit_s")
    numeric = med(size, "scipy-numeric", "bgnbd_fit_s")
    scipy_runs = len(groups.get((size, "scipy"), []))
    print(f"| {first['customers']:,} | {first['bgnbd']['distinct']:,} | {ms(ours)} | {ms(ours1)} "
          f"| {ms(theirs)}{'' if scipy_runs != 1 else ' (1 run)'} | {theirs / ours:.1f}× "
          f"| {ms(tight)} | {tight / ours:.1f}× | {ms(numeric) if numeric == numeric else '—'} "
          f"| {ms(med(size, 'segmenta', 'gammagamma_fit_s'))} | {ms(med(size, 'segmenta', 'predict_s'))} "
          f"| {ms(med(size, 'total', 'fit_predict_total_s'))} "
          f"| {med(size, 'total', 'peak_rss_kib') / 1024:,.0f} MiB "
          f"| {med(size, 'scipy', 'peak_rss_kib') / 1024:,.0f} MiB |")
print("\n| customers | side | r | alpha | a | b | log-likelihood | difference |")
print("|---:|---|---:|---:|---:|---:|---:|---:|")
for size in sizes:
    ours = groups[(size, "segmenta")][0]["bgnbd"]
    rows = [("Segmenta", ours["params"], ours["log_likelihood"])]
    for label in ("scipy", "scipy-tight", "scipy-numeric"):
        if (size, label) in groups:
            run = groups[(size, label)][0]
            rows.append((label, run["params"], run["log_likelihood"]))
    for side, params, ll in rows:
        diff = ll - ours["log_likelihood"]
        print(f"| {groups[(size, 'segmenta')][0]['customers']:,} | {side} | "
              + " | ".join(f"{p:.6f}" for p in params) + f" | {ll:.6f} | {diff:+.2e} |")
EOF
