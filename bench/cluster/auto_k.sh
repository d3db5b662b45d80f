#!/usr/bin/env bash
# The whole `k = auto` search (k = 2..10, 3 restarts each, sampled silhouette,
# Calinski–Harabasz, Davies–Bouldin, stable labels, membership, projection) on the 1M
# customer demo, as `segmenta run` does it, against the same search in scikit-learn
# over the same prepared matrix. Also times the demo's k-prototypes segmentation.
#
#   bench/cluster/auto_k.sh [--runs R]
#
# Needs bench/out/demo-1000000-42 ingested (bench/run_segments.sh makes it). Medians of
# R runs (default 3); results in bench/out/auto_k.md.
set -euo pipefail
cd "$(dirname "$(realpath "$0")")/../.."
RUNS=3
[[ ${1:-} == --runs ]] && RUNS=$2
SEGMENTA=${SEGMENTA:-$PWD/build/segmenta}
OUT=$PWD/bench/out
DEMO=$OUT/demo-1000000-42
[[ -d $DEMO/.segmenta ]] || { echo "run bench/run_segments.sh first (it ingests the demo)" >&2; exit 1; }
PROJECT=$OUT/auto-k
mkdir -p "$PROJECT"
# The demo's sources and its two cluster segmentations, over the demo's workspace.
"$SEGMENTA" init "$OUT/template" --demo 10 --seed 42 >/dev/null 2>&1 || true
python3 bench/demo_project.py "$OUT/template/segmenta.toml" "$PROJECT/segmenta.toml" \
  --clusters only --demo "$DEMO"
rm -rf "$OUT/template"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
KMEANS=() KPROTO=()
for ((run = 1; run <= RUNS; run++)); do
  "$SEGMENTA" -C "$PROJECT" run >/dev/null
  "$SEGMENTA" -C "$PROJECT" --json show behaviour >"$OUT/auto_k_model.json"
  KMEANS+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"]["seconds"])' "$OUT/auto_k_model.json")")
  KPROTO+=("$("$SEGMENTA" -C "$PROJECT" --json show profiles | python3 -c 'import json,sys; print(json.load(sys.stdin)["model"]["seconds"])')")
  echo "segmenta run $run: behaviour ${KMEANS[-1]} s, profiles ${KPROTO[-1]} s" >&2
done
K=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["model"]; print(m["k"])' "$OUT/auto_k_model.json")
"$SEGMENTA" -C "$PROJECT" features --out "$OUT/features-auto-k.csv" >/dev/null
SKLEARN=()
for ((run = 1; run <= RUNS; run++)); do
  OMP_NUM_THREADS=$(nproc) /usr/bin/python3 bench/cluster/sklearn_auto_k.py "$OUT/features-auto-k.csv" \
    "$OUT/auto_k_model.json" >"$OUT/auto_k_sklearn.json"
  SKLEARN+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' "$OUT/auto_k_sklearn.json")")
  echo "scikit-learn run $run: ${SKLEARN[-1]} s" >&2
done
KM=$(printf '%.2f\n' "${KMEANS[@]}" | median)
KP=$(printf '%.2f\n' "${KPROTO[@]}" | median)
SK=$(printf '%.2f\n' "${SKLEARN[@]}" | median)
{
  echo "# k = auto on the 1M-customer demo"
  echo
  echo "- $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD)"
  echo
  echo "| step | segmenta (median of $RUNS) | scikit-learn 1.2 | ratio |"
  echo "|---|---:|---:|---:|"
  echo "| kmeans, k = 2..10 × 3 restarts + figures (chose k = $K) | ${KM} s | ${SK} s | $(python3 -c "print(f'{$SK/$KM:.1f}×')") |"
  echo "| kprototypes, k = 6, 6 numeric + 4 categorical | ${KP} s | (no k-prototypes in Debian) | |"
  echo
  echo "segmenta's time is the whole segmentation inside \`segmenta run\`: reading 1M rows from"
  echo "DuckDB, preparation, the search, stable labels, writing the membership, the projection."
  echo "scikit-learn's is the search alone (KMeans n_init=3, silhouette_score(sample_size=10000),"
  echo "calinski_harabasz_score, davies_bouldin_score) over the same prepared matrix."
} | tee "$OUT/auto_k.md"
