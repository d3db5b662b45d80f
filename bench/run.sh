#!/usr/bin/env bash
# Benchmarks `segmenta ingest` + `segmenta features` against the baselines a user would
# otherwise write, on the demo data, and checks that all of them compute the same table.
#
#   bench/run.sh [--customers N] [--runs R] [--seed S] [--only LIST] [--timeout SEC]
#                [--demo DIR] [--no-compare]
#
#   --customers N   demo size (default 1000000: ~21M events, 1.3 GB of CSV)
#   --runs R        timed runs of each tool (default 3); the table shows medians
#   --only LIST     comma-separated subset of: segmenta,pandas,sql,sql-persisted
#   --timeout SEC   a run still going after SEC seconds is killed and counted as failed
#                   (default 600); a tool that fails is not run again
#   --demo DIR      where the demo project is (generated once with `segmenta init` when
#                   DIR/data/events.csv is missing; default bench/out/demo-N-S)
#   --no-compare    skip the check that the feature tables agree
#   env SEGMENTA=PATH  time that binary instead of building $BUILD/segmenta (BUILD=build)
#
# The tools, each timed by /usr/bin/time (wall seconds, peak RSS of the largest process):
#   segmenta       segmenta -C DIR ingest; segmenta -C DIR features --out F.parquet
#                  (from an empty workspace each run)
#   pandas         /usr/bin/python3 bench/pandas_baseline.py DIR/data F.csv
#   sql            bench/duckdb_features.sql: one DuckDB statement over read_csv(...),
#                  in memory, run by bench/out/sqlrun
#   sql-persisted  CREATE TABLE customers/events AS FROM read_csv(...) in a new DuckDB
#                  file, then the same statement over those tables (load + query timed)
# Runs are interleaved (run 1 of every tool, then run 2, ...) so that a noisy moment of a
# shared machine does not land on one tool only. Results: bench/out/results.md (and a
# dated copy), raw timings in bench/out/runs.tsv, logs in bench/out/logs/.
set -euo pipefail
SCRIPT=$(realpath "$0")
cd "$(dirname "$SCRIPT")/.."
ROOT=$PWD

CUSTOMERS=1000000
RUNS=3
SEED=42
ONLY=segmenta,pandas,sql,sql-persisted
TIMEOUT=600
DEMO=""
COMPARE=1
BUILD=${BUILD:-build}

usage() { sed -n '2,17p' "$SCRIPT" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while (($#)); do
  case $1 in
    --customers) CUSTOMERS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --demo) DEMO=$2; shift 2 ;;
    --no-compare) COMPARE=0; shift ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage 2 ;;
  esac
done
[[ $CUSTOMERS =~ ^[0-9]+$ && $RUNS =~ ^[1-9][0-9]*$ && $TIMEOUT =~ ^[0-9]+$ ]] || usage 2
IFS=, read -r -a TOOLS <<<"$ONLY"
for tool in "${TOOLS[@]}"; do
  case $tool in segmenta|pandas|sql|sql-persisted) ;; *) echo "run.sh: unknown tool $tool" >&2; exit 2 ;; esac
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

OUT=$ROOT/bench/out
mkdir -p "$OUT/logs"
DEMO=${DEMO:-$OUT/demo-$CUSTOMERS-$SEED}
DEMO=$(realpath -m "$DEMO")
SEGMENTA_GIVEN=${SEGMENTA:-}
SEGMENTA=${SEGMENTA:-$ROOT/$BUILD/segmenta}
SQLRUN=$OUT/sqlrun
DUCKDB=$ROOT/third_party/duckdb
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- build what is needed
if [[ ! -x /usr/bin/time ]] || ! /usr/bin/python3 -c 'import pandas' 2>/dev/null ||
   [[ ! -f $DUCKDB/lib/libduckdb.so ]]; then
  scripts/setup.sh --bench
fi
if [[ -z $SEGMENTA_GIVEN ]] && { wants segmenta || [[ ! -f $DEMO/data/events.csv ]]; }; then
  [[ -f $BUILD/CMakeCache.txt ]] || cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  log "building segmenta"
  cmake --build "$BUILD" --target segmenta -j "$(nproc)" >"$OUT/logs/build.log" 2>&1 ||
    { tail -20 "$OUT/logs/build.log" >&2; exit 1; }
fi
if [[ ! -x $SQLRUN || bench/sqlrun.cc -nt $SQLRUN ]]; then
  log "building bench/out/sqlrun"
  g++ -std=c++20 -O2 -I "$DUCKDB/include" bench/sqlrun.cc -L "$DUCKDB/lib" -lduckdb \
    -Wl,-rpath,"$DUCKDB/lib" -o "$SQLRUN"
fi

# ---------------------------------------------------------------- demo data, once
if [[ ! -f $DEMO/data/events.csv ]]; then
  [[ $DEMO == "$OUT"/* ]] && rm -rf "$DEMO"
  log "generating the demo: $CUSTOMERS customers, seed $SEED, in $DEMO"
  "$SEGMENTA" init "$DEMO" --demo "$CUSTOMERS" --seed "$SEED" >"$OUT/logs/init.log"
fi
DATA=$DEMO/data
log "demo: $(du -sh "$DATA/customers.csv" | cut -f1) customers.csv," \
    "$(du -sh "$DATA/events.csv" | cut -f1) events.csv"

# ---------------------------------------------------------------- the tools
# Each prepares a clean start (outside the timing) and prints the command to time.
result_file() {
  case $1 in
    segmenta) echo "$OUT/features-segmenta.parquet" ;;
    pandas) echo "$OUT/features-pandas.csv" ;;
    sql) echo "$OUT/features-sql.parquet" ;;
    sql-persisted) echo "$OUT/features-sql-persisted.parquet" ;;
  esac
}

LOAD_SQL=$OUT/duckdb_load.sql
cat >"$LOAD_SQL" <<'EOF'
-- sql-persisted: what a user keeping a DuckDB database does first (typed by the sniffer).
CREATE TABLE customers AS FROM read_csv('{{CUSTOMERS}}');
CREATE TABLE events AS FROM read_csv('{{EVENTS}}');
CHECKPOINT;
EOF

prepare() {  # prepare TOOL: removes the previous run's state; sets CMD
  local tool=$1 out
  out=$(result_file "$tool")
  rm -f "$out"
  case $tool in
    segmenta)
      rm -rf "$DEMO/.segmenta"
      CMD=(bash -c '"$0" -C "$1" ingest && "$0" -C "$1" features --out "$2"'
           "$SEGMENTA" "$DEMO" "$out") ;;
    pandas)
      CMD=(/usr/bin/python3 bench/pandas_baseline.py "$DATA" "$out") ;;
    sql)
      CMD=("$SQLRUN" :memory: bench/duckdb_features.sql
           "CUSTOMERS_FROM=read_csv('$DATA/customers.csv')"
           "EVENTS_FROM=read_csv('$DATA/events.csv')" "OUT=$out") ;;
    sql-persisted)
      rm -f "$OUT/persisted.duckdb" "$OUT/persisted.duckdb.wal"
      CMD=("$SQLRUN" "$OUT/persisted.duckdb" "$LOAD_SQL" bench/duckdb_features.sql
           "CUSTOMERS=$DATA/customers.csv" "EVENTS=$DATA/events.csv"
           CUSTOMERS_FROM=customers EVENTS_FROM=events "OUT=$out") ;;
  esac
}

load1() { cut -d' ' -f1 /proc/loadavg; }

RUNS_TSV=$OUT/runs.tsv
printf 'tool\trun\tseconds\tpeak_rss_kb\tstatus\tload1_before\tload1_after\n' >"$RUNS_TSV"
declare -A FAILED=()
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
for ((run = 1; run <= RUNS; run++)); do
  for tool in "${TOOLS[@]}"; do
    [[ -n ${FAILED[$tool]:-} ]] && continue
    prepare "$tool"
    sync
    before=$(load1)
    status=ok
    /usr/bin/time -f '%e %M' -o "$OUT/time.txt" timeout "$TIMEOUT" "${CMD[@]}" \
      >"$OUT/logs/$tool-$run.log" 2>&1 || status=failed
    [[ $status == failed ]] && grep -q 'status 124' "$OUT/time.txt" && status=timeout
    read -r seconds kb < <(tail -1 "$OUT/time.txt")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$run" "$seconds" "$kb" "$status" \
      "$before" "$(load1)" >>"$RUNS_TSV"
    log "run $run/$RUNS $tool: ${seconds}s, $((kb / 1024)) MiB, $status (load $before)"
    if [[ $status != ok ]]; then
      FAILED[$tool]=1
      tail -5 "$OUT/logs/$tool-$run.log" >&2
    fi
  done
done
END_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- agreement
COMPARISONS=$OUT/compare.txt
: >"$COMPARISONS"
if ((COMPARE)); then
  pairs=("sql pandas" "sql sql-persisted" "sql segmenta")
  for pair in "${pairs[@]}"; do
    read -r a b <<<"$pair"
    wants "$a" && wants "$b" && [[ -z ${FAILED[$a]:-}${FAILED[$b]:-} ]] || continue
    fa=$(result_file "$a"); fb=$(result_file "$b")
    log "comparing $a and $b"
    verdict=$(/usr/bin/python3 bench/compare.py "$fa" "$fb" --sqlrun "$SQLRUN" \
      >"$OUT/logs/compare-$a-$b.txt" 2>&1; tail -1 "$OUT/logs/compare-$a-$b.txt")
    echo "$a vs $b: $verdict" | tee -a "$COMPARISONS" >&2
  done
fi

# ---------------------------------------------------------------- the table
STAMP=$(date +%Y%m%d-%H%M%S)
REPORT=$OUT/results-$CUSTOMERS-$STAMP.md
EVENTS=$(($(wc -l <"$DATA/events.csv") - 1))
DUCKDB_VERSION=$("$SQLRUN" :memory: <(echo "SELECT version() AS v;") 2>/dev/null | tail -1)
/usr/bin/python3 - "$RUNS_TSV" "$COMPARISONS" >"$REPORT" <<EOF
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
names = {"segmenta": "segmenta ingest + features", "pandas": "pandas baseline",
         "sql": "DuckDB SQL, one statement on the CSVs",
         "sql-persisted": "DuckDB SQL, persisted (load tables + query)"}
tools = [t for t in "${TOOLS[*]}".split() if any(r["tool"] == t for r in rows)]
med = {}
for tool in tools:
    ok = [r for r in rows if r["tool"] == tool and r["status"] == "ok"]
    if ok:
        med[tool] = (statistics.median(float(r["seconds"]) for r in ok),
                     statistics.median(int(r["peak_rss_kb"]) for r in ok) / 1024, len(ok))
print("# Segmenta features benchmark: $CUSTOMERS customers, $EVENTS events\n")
print("- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, "
      "$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo) GiB, "
      "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')")
print("- load average: $START_LOAD at the start, $END_LOAD at the end")
print("- DuckDB $DUCKDB_VERSION; pandas $(/usr/bin/python3 -c 'import pandas; print(pandas.__version__)'); "
      "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)")
print("- medians of $RUNS runs; peak RSS = largest process\n")
print("| tool | wall time (s) | peak RSS (MiB) | runs ok | time ÷ segmenta's | RSS ÷ segmenta's |")
print("|---|---:|---:|---:|---:|---:|")
seg = med.get("segmenta")
for tool in tools:
    if tool not in med:
        print(f"| {names[tool]} | failed | | 0/$RUNS | | |")
        continue
    sec, mib, n = med[tool]
    ratio_t = f"{sec / seg[0]:.2f}×" if seg else "–"
    ratio_m = f"{mib / seg[1]:.2f}×" if seg else "–"
    print(f"| {names[tool]} | {sec:.1f} | {mib:,.0f} | {n}/$RUNS | {ratio_t} | {ratio_m} |")
comparisons = open(sys.argv[2]).read().strip()
if comparisons:
    print("\nAgreement of the feature tables (bench/compare.py):\n")
    for line in comparisons.splitlines():
        print(f"- {line}")
EOF
cp "$REPORT" "$OUT/results.md"
cat "$REPORT"
log "wrote $REPORT"
