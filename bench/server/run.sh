#!/usr/bin/env bash
# Load benchmark of `segmenta serve`: customer lookups and rule previews under wrk.
#
#   bench/server/run.sh [CUSTOMERS]        # default 1000000
#
# 1. Builds the demo workspace bench/out/server-N (`segmenta init --demo N --seed 42`,
#    ingest, run; the demo project as `init` writes it) once, and reuses it while its
#    .bench-complete marker is there. Picks 100,000 random customer ids (ids.txt).
# 2. Copies the binary to /tmp/segmenta-bench (so that a rebuild cannot change it
#    mid-run), creates an analyst token, starts
#    `segmenta serve --port 0 --threads 64` and waits for GET /v1/health.
# 3. Lookups: a 5 s warm-up, then RUNS (3) × `wrk -t2 -c32 -d60s --latency` on
#    GET /v1/customers/{random id} (lookup.lua), the server's RSS sampled every second.
#    Previews: `wrk -t1 -c2 -d30s` POSTing four rules in turn (preview.lua), then 10 s
#    of each rule alone. Stops the server with SIGTERM and checks it exits 0.
# 4. Baseline: the same server with --no-index (lookups as DuckDB queries), 20 s of
#    the same lookup load.
#
# Everything lands in bench/out/server/N-DATE/ (wrk's reports, rss-*.csv, results.tsv,
# results.md, the server's log summary); bench/out/server/results-N.md is the latest.
# Environment: SEGMENTA (binary to copy, default build/segmenta), BENCH_BIN (where to
# copy it), RUNS, LOOKUP_SECONDS, PREVIEW_SECONDS, RULE_SECONDS, BASELINE_SECONDS,
# PREPARE_ONLY=1 (build the workspace and stop), KEEP_SERVER_LOG=1, NODELAY_SHIM=1 (a
# diagnostic: preload nodelay.c into the servers, TCP_NODELAY on; results-N-nodelay.md).
set -euo pipefail
cd "$(dirname "$(realpath "$0")")/../.."
ROOT=$PWD
CUSTOMERS=${1:-1000000}
SOURCE=${SEGMENTA:-$ROOT/build/segmenta}
BIN=${BENCH_BIN:-/tmp/segmenta-bench}
RUNS=${RUNS:-3}
LOOKUP_SECONDS=${LOOKUP_SECONDS:-60}
PREVIEW_SECONDS=${PREVIEW_SECONDS:-30}
RULE_SECONDS=${RULE_SECONDS:-10}
BASELINE_SECONDS=${BASELINE_SECONDS:-20}
WARMUP_SECONDS=5
WS=$ROOT/bench/out/server-$CUSTOMERS
SCRIPTS=$ROOT/bench/server
# wrk counts a request still unanswered after --timeout as an error and leaves it out of
# the latencies; 10 s keeps slow answers (the baseline's) in the percentiles.
WRK_TIMEOUT=10s

[[ -x $SOURCE ]] || { echo "no binary at $SOURCE (make build)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
# A copy, replaced by rename: processes still running the old one keep it.
cp "$SOURCE" "$BIN.$$" && mv -f "$BIN.$$" "$BIN"
echo "binary: $SOURCE copied to $BIN (sha256 $(sha256sum "$BIN" | cut -c1-12))"

log() { echo "[$(date '+%H:%M:%S')] $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }

# --- 1. The workspace --------------------------------------------------------------
prepare() {
  if [[ -f $WS/.bench-complete ]]; then
    log "reusing $WS ($(cat "$WS/.bench-complete"))"
    return
  fi
  rm -rf "$WS"
  mkdir -p "$(dirname "$WS")"
  local started=$SECONDS
  log "building $WS: init --demo $CUSTOMERS --seed 42 (load $(loadavg))"
  "$BIN" init "$WS" --demo "$CUSTOMERS" --seed 42 >"$WS.init.log"
  mv "$WS.init.log" "$WS/init.log"
  log "ingest"
  "$BIN" -C "$WS" ingest >"$WS/ingest.log" 2>&1
  log "run"
  "$BIN" -C "$WS" run >"$WS/run.log" 2>&1
  # Random ids of customers in the workspace: cheap to take from the customers file
  # (the demo has no bad rows, so every one of them is in the snapshot; checked below
  # against the snapshot's count).
  tail -n +2 "$WS/data/customers.csv" | cut -d, -f1 |
    shuf -n 100000 --random-source=<(yes 42) >"$WS/ids.txt"
  echo "built $(date -u '+%Y-%m-%d %H:%M UTC') in $((SECONDS - started)) s by binary" \
    "$(sha256sum "$BIN" | cut -c1-12)" >"$WS/.bench-complete"
  log "workspace ready in $((SECONDS - started)) s"
}
prepare
[[ ${PREPARE_ONLY:-0} == 1 ]] && exit 0

SUFFIX=
SERVER_ENV=()
if [[ ${NODELAY_SHIM:-0} == 1 ]]; then
  SUFFIX=-nodelay
  mkdir -p "$ROOT/bench/out/server"
  gcc -O2 -shared -fPIC -o "$ROOT/bench/out/server/nodelay.so" "$SCRIPTS/nodelay.c" -ldl
  SERVER_ENV=(env "LD_PRELOAD=$ROOT/bench/out/server/nodelay.so")
fi
OUT=$ROOT/bench/out/server/$CUSTOMERS$SUFFIX-$(date '+%Y%m%d-%H%M%S')
mkdir -p "$OUT"
TOKEN=$("$BIN" -C "$WS" --json token create --role analyst --name bench-server |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

# --- Servers and the RSS sampler ---------------------------------------------------
SERVER_PID=
SAMPLER_PID=
stop_server() {  # sets SERVER_RC
  SERVER_RC=
  [[ -n $SERVER_PID ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  SERVER_RC=0
  wait "$SERVER_PID" || SERVER_RC=$?
  SERVER_PID=
  [[ -z $SAMPLER_PID ]] || wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=
}
trap stop_server EXIT

# start_server NAME [FLAGS...]: sets SERVER_PID, URL, STARTUP (seconds to healthy).
start_server() {
  local name=$1 line= started
  shift
  log "starting $name: serve --port 0 --threads 64 $* (load $(loadavg))"
  started=$(now)
  "${SERVER_ENV[@]}" "$BIN" -C "$WS" serve --port 0 --threads 64 "$@" \
    >"$OUT/$name.stdout" 2>"$OUT/$name.log" &
  SERVER_PID=$!
  until line=$(head -1 "$OUT/$name.stdout" 2>/dev/null) && [[ $line == Serving* ]]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "the server stopped before it listened:" >&2
      tail -5 "$OUT/$name.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  URL=${line#Serving on }
  URL=${URL%/}
  until curl -sf "$URL/v1/health" >/dev/null; do sleep 0.2; done
  STARTUP=$(since "$started")
  log "$name listening at $URL after $STARTUP s"
  echo "startup" >"$OUT/phase"
  echo "seconds,phase,rss_kib" >"$OUT/rss-$name.csv"
  sample_rss "$SERVER_PID" "$started" >>"$OUT/rss-$name.csv" &
  SAMPLER_PID=$!
}

# One line a second: seconds since the server started, the phase, VmRSS (KiB).
sample_rss() {
  local pid=$1 started=$2 rss
  while rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null) && [[ -n $rss ]]; do
    echo "$(since "$started"),$(cat "$OUT/phase"),$rss"
    sleep 1
  done
}

# CPU time in clock ticks: every process's (busy, from /proc/stat: user, nice, system,
# irq, softirq) and the server's (utime + stime). What neither the server nor wrk used
# while wrk ran is other people's work on the machine.
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8; exit}' /proc/stat; }
server_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }

# run_wrk NAME SCRIPT WRK-ARGS...: one wrk run; its report in wrk-NAME.txt, its RESULT
# line (see common.lua) with the load average before it and the CPU used during it
# (cores: server, wrk, everything else) in results.tsv.
run_wrk() {
  local name=$1 script=$2 load result busy server started seconds cpu
  shift 2
  # Requests still in flight when the previous wrk stopped finish first.
  sleep 3
  load=$(loadavg)
  echo "$name" >"$OUT/phase"
  log "$name: wrk $* (load $load)"
  busy=$(busy_ticks) server=$(server_ticks) started=$(now)
  SEGMENTA_TOKEN=$TOKEN SEGMENTA_IDS=$WS/ids.txt /usr/bin/time -f '%U %S' -o "$OUT/time.txt" \
    wrk "$@" --timeout "$WRK_TIMEOUT" --latency -s "$SCRIPTS/$script" "$URL" \
    >"$OUT/wrk-$name.txt" 2>&1 || { cat "$OUT/wrk-$name.txt" >&2; exit 1; }
  seconds=$(since "$started")
  cpu=$(awk -v busy="$(($(busy_ticks) - busy))" -v server="$(($(server_ticks) - server))" \
    -v seconds="$seconds" -v hz="$(getconf CLK_TCK)" '{
      wrk = ($1 + $2) * hz
      printf "server_cores=%.2f wrk_cores=%.2f other_cores=%.2f", server / hz / seconds,
        wrk / hz / seconds, (busy - server - wrk) / hz / seconds
    }' "$OUT/time.txt")
  echo "idle" >"$OUT/phase"
  result="$(grep '^RESULT ' "$OUT/wrk-$name.txt" | cut -d' ' -f2-) $cpu"
  log "$name: $result"
  echo -e "$name\t${load%% *}\t$result" >>"$OUT/results.tsv"
}

# Check a few answers by hand before loading the server: an id answers 200 with that id.
check_lookup() {
  local id status
  for id in $(head -3 "$WS/ids.txt"); do
    status=$(curl -s -o "$OUT/check.json" -w '%{http_code}' \
      -H "Authorization: Bearer $TOKEN" "$URL/v1/customers/$id")
    [[ $status == 200 ]] && grep -q "\"customer_id\":\"$id\"" "$OUT/check.json" || {
      echo "GET /v1/customers/$id answered $status:" >&2
      head -c 300 "$OUT/check.json" >&2
      exit 1
    }
  done
  rm -f "$OUT/check.json"
}

# The server's log: answers by route and status (what wrk's non-2xx count covers), and
# lines holding two records (writes from two request threads run together).
summarize_log() {
  local name=$1
  {
    echo "# $name: requests by method, route and status"
    grep -oE '(GET|POST|DELETE) /[^ ]* [0-9]{3} ' "$OUT/$name.log" | sort | uniq -c
    echo "# lines holding two records: $(grep -cE 'token=[^ ]*[0-9]{4}-[0-9]{2}-[0-9]{2}T' \
      "$OUT/$name.log" || true); empty lines: $(grep -c '^$' "$OUT/$name.log" || true)"
    echo "# other lines"
    grep -vE '^([0-9T:Z-]+ (GET|POST|DELETE) .*)?$' "$OUT/$name.log" | head -50 || true
  } >"$OUT/$name.log-summary.txt"
  [[ ${KEEP_SERVER_LOG:-0} == 1 ]] || rm -f "$OUT/$name.log"
}

echo -e "name\tload1\tresult" >"$OUT/results.tsv"
{
  echo "customers=$CUSTOMERS"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD 2>/dev/null || echo '+changes')"
  echo "binary_sha256=$(sha256sum "$BIN" | cut -c1-12)"
  echo "binary_built=$(date -r "$SOURCE" '+%Y-%m-%d %H:%M')"
  echo "lookup_ready_file=$([[ -e /tmp/segmenta-lookup-ready ]] && echo yes || echo no)"
  echo "cores=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "load_start=$(loadavg)"
  echo "nodelay_shim=${NODELAY_SHIM:-0}"
} >"$OUT/info.txt"

# --- 2. The server with its lookup index ----------------------------------------------
start_server server
echo "server_startup_s=$STARTUP" >>"$OUT/info.txt"
check_lookup
SNAPSHOT_CUSTOMERS=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL/v1/segmentations" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["customers"])')
echo "snapshot_customers=$SNAPSHOT_CUSTOMERS" >>"$OUT/info.txt"
if (($(wc -l <"$WS/data/customers.csv") - 1 != SNAPSHOT_CUSTOMERS)); then
  log "warning: the snapshot has $SNAPSHOT_CUSTOMERS customers, the customers file more:" \
    "some ids of ids.txt may answer 404 (wrk's non-2xx)"
fi
echo "rss_after_startup_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status")" >>"$OUT/info.txt"
run_wrk warmup lookup.lua -t2 -c32 -d"${WARMUP_SECONDS}s"
for ((run = 1; run <= RUNS; run++)); do
  run_wrk "lookup-$run" lookup.lua -t2 -c32 -d"${LOOKUP_SECONDS}s"
done
run_wrk preview preview.lua -t1 -c2 -d"${PREVIEW_SECONDS}s"
rule_number=0
while IFS= read -r rule; do
  rule_number=$((rule_number + 1))
  echo "rule_$rule_number=$rule" >>"$OUT/info.txt"
  SEGMENTA_RULE=$rule run_wrk "preview-rule-$rule_number" preview.lua -t1 -c2 -d"${RULE_SECONDS}s"
done < <(sed -n '/^local rules = {/,/^}/p' "$SCRIPTS/preview.lua" | grep '^  "' | sed 's/^  "\(.*\)",$/\1/')
# What each rule selects (one answer each, for the table).
for ((i = 1; i <= rule_number; i++)); do
  rule=$(grep "^rule_$i=" "$OUT/info.txt" | cut -d= -f2-)
  curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"rule\": \"$rule\", \"sample\": 0}" "$URL/v1/preview" |
    python3 -c "import json, sys; a = json.load(sys.stdin); print('rule_${i}_customers=%s' % a.get('customers', 'suppressed')); print('rule_${i}_server_ms=%.1f' % a['milliseconds'])" \
    >>"$OUT/info.txt"
done
stop_server
echo "server_exit=$SERVER_RC" >>"$OUT/info.txt"
log "server stopped: exit $SERVER_RC$( ((SERVER_RC == 0)) || echo ' (expected 0)')"
summarize_log server

# --- 3. Baseline: no index, every lookup a DuckDB query -------------------------------
if "$BIN" serve --help | grep -q -- '--no-index'; then
  start_server baseline --no-index
  echo "baseline=--no-index" >>"$OUT/info.txt"
else
  start_server baseline
  echo "baseline=this binary has no --no-index (no lookup index yet): the same server" >>"$OUT/info.txt"
fi
echo "baseline_startup_s=$STARTUP" >>"$OUT/info.txt"
check_lookup
run_wrk baseline-warmup lookup.lua -t2 -c32 -d"${WARMUP_SECONDS}s"
run_wrk baseline lookup.lua -t2 -c32 -d"${BASELINE_SECONDS}s"
stop_server
echo "baseline_exit=$SERVER_RC" >>"$OUT/info.txt"
log "baseline stopped: exit $SERVER_RC$( ((SERVER_RC == 0)) || echo ' (expected 0)')"
summarize_log baseline
echo "load_end=$(loadavg)" >>"$OUT/info.txt"
trap - EXIT

python3 "$SCRIPTS/report.py" "$OUT" | tee "$OUT/results.md"
cp "$OUT/results.md" "$ROOT/bench/out/server/results-$CUSTOMERS$SUFFIX.md"
