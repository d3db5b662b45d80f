-- Shared by lookup.lua and preview.lua: the bearer token from $SEGMENTA_TOKEN, and a
-- done() that prints one machine-readable line for run.sh beside wrk's own report.
local M = {}

function M.token()
  local token = os.getenv("SEGMENTA_TOKEN")
  if not token or token == "" then
    io.stderr:write("set SEGMENTA_TOKEN to an analyst token\n")
    os.exit(2)
  end
  return token
end

-- RESULT requests=N seconds=S rps=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
--        non2xx=N connect=N read=N write=N timeout=N
function M.done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f " ..
    "max_ms=%.3f non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end

return M
