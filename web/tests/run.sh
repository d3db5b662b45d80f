#!/usr/bin/env bash
# Browser test of the dashboard against a real `segmenta serve`.
#
#   web/tests/run.sh path/to/segmenta
#
# Builds a demo workspace (3,000 customers, two snapshots, plus one rules segmentation
# "tiny" whose segment "Very frequent" is under the minimum group size, and an A/B test
# "loyal-reminder" in rfm/Loyal that started 30 days before the latest snapshot, so that
# the purchases since then are its outcomes) in a temporary folder,
# creates admin, analyst and viewer tokens, serves web/dist on a free port and runs
# tests/browser.mjs (playwright-core with Debian's /usr/bin/chromium). Needs `npm ci`
# and `npm run build` first. Screenshots: ${SEGMENTA_ARTIFACTS:-$PWD/browser-artifacts}.
# Exit status 0 only when every check passed.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 SEGMENTA_BINARY" >&2
  exit 2
fi
SEGMENTA=$(realpath "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WEB=$(dirname "$HERE")
DIST=${SEGMENTA_WEB_DIST:-$WEB/dist}
ARTIFACTS=${SEGMENTA_ARTIFACTS:-$PWD/browser-artifacts}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

[ -x "$SEGMENTA" ] || { echo "not an executable: $SEGMENTA" >&2; exit 2; }
[ -f "$DIST/index.html" ] || { echo "no $DIST/index.html: run 'npm ci && npm run build' in $WEB" >&2; exit 2; }
[ -d "$WEB/node_modules/playwright-core" ] || { echo "no playwright-core: run 'npm ci' in $WEB" >&2; exit 2; }
[ -x "$CHROMIUM" ] || { echo "no Chromium at $CHROMIUM (apt-get install chromium)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/segmenta-browser.XXXXXX")
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s)
WS="$WORK/shop"
echo "== demo workspace in $WS"
"$SEGMENTA" init "$WS" --demo 3000 --seed 7 >"$WORK/setup.log"
# One segment under privacy.min_group_size (10), so that suppression is on screen:
# a handful of demo customers have 25 or more orders.
cat >>"$WS/segmenta.toml" <<'TOML'

# Added by web/tests/run.sh: a segment under the minimum group size.
[[segmentation]]
name = "tiny"
method = "rules"
rules = { "Very frequent" = "frequency >= 25", "Everyone else" = "frequency >= 0" }
TOML
"$SEGMENTA" -C "$WS" ingest >>"$WORK/setup.log"
"$SEGMENTA" -C "$WS" run --as-of 2026-08-01 >>"$WORK/setup.log"
"$SEGMENTA" -C "$WS" run >>"$WORK/setup.log"
# The demo's spend source (campaign costs), when its project declares one, shows in the KPIs.
if grep -q '^kind = "spend"' "$WS/segmenta.toml"; then SEGMENTA_DEMO_SPEND=1; else SEGMENTA_DEMO_SPEND=0; fi

# An experiment whose outcome window has passed: it starts 30 days before the latest
# snapshot's date.
LATEST_AS_OF=$("$SEGMENTA" --json -C "$WS" segments |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).as_of));')
SEGMENTA_EXPERIMENT_START=$(date -u -d "$LATEST_AS_OF - 30 days" +%F)
SEGMENTA_EXPERIMENT=loyal-reminder
"$SEGMENTA" -C "$WS" experiment create "$SEGMENTA_EXPERIMENT" --segment rfm/Loyal --variants A:45,B:45 \
  --holdout 10 --goal "purchase within 14d" --start "$SEGMENTA_EXPERIMENT_START" >>"$WORK/setup.log"
export SEGMENTA_DEMO_SPEND SEGMENTA_EXPERIMENT SEGMENTA_EXPERIMENT_START

token() {
  "$SEGMENTA" --json -C "$WS" token create --role "$1" --name "browser-test-$1" |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const token = JSON.parse(s).token;
      if (!token) { console.error("no token in: " + s); process.exit(1); }
      console.log(token);
    });'
}
# Tokens first: the server holds the workspace open while it runs.
SEGMENTA_TOKEN_ADMIN=$(token admin)
SEGMENTA_TOKEN_ANALYST=$(token analyst)
SEGMENTA_TOKEN_VIEWER=$(token viewer)
export SEGMENTA_TOKEN_ADMIN SEGMENTA_TOKEN_ANALYST SEGMENTA_TOKEN_VIEWER

echo "== segmenta serve --web $DIST"
"$SEGMENTA" -C "$WS" serve --port 0 --web "$DIST" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
SEGMENTA_URL=""
for _ in $(seq 1 150); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server exited:" >&2
    cat "$WORK/serve.out" "$WORK/serve.err" >&2
    exit 1
  fi
  line=$(head -n 1 "$WORK/serve.out" 2>/dev/null || true)
  if [[ "$line" =~ ^Serving\ on\ (http://[^[:space:]]+) ]]; then
    SEGMENTA_URL=${BASH_REMATCH[1]}
    break
  fi
  sleep 0.1
done
if [ -z "$SEGMENTA_URL" ]; then
  echo "the server did not say 'Serving on http://…' within 15 s" >&2
  cat "$WORK/serve.out" "$WORK/serve.err" >&2
  exit 1
fi
echo "== server at $SEGMENTA_URL (setup took $(( $(date +%s) - started )) s)"

mkdir -p "$ARTIFACTS"
export SEGMENTA_URL SEGMENTA_ARTIFACTS="$ARTIFACTS" CHROMIUM
status=0
node "$HERE/browser.mjs" || status=$?
if [ "$status" -ne 0 ]; then
  echo "== server stderr (last 40 lines)" >&2
  tail -n 40 "$WORK/serve.err" >&2 || true
fi
echo "== total $(( $(date +%s) - started )) s; screenshots in $ARTIFACTS"
exit "$status"
