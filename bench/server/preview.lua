-- wrk script: POST /v1/preview with one of the rules below in turn (or only
-- $SEGMENTA_RULE when set), with the analyst token of $SEGMENTA_TOKEN.
--   SEGMENTA_TOKEN=sgm_... wrk -s preview.lua http://127.0.0.1:PORT
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")

-- Rules on the demo project's features, attributes and events (no double quotes or
-- backslashes in them: they go into the JSON body as they are).
local rules = {
  "frequency >= 3 and recency_days <= 90",
  "monetary > 500",
  "count(purchase, 90d) >= 2",
  "country = 'Romania' and age between 18 and 30",
}
local bodies = {}
local next_body = 0
local headers = {}

function init(args)
  local only = os.getenv("SEGMENTA_RULE")
  if only and only ~= "" then rules = { only } end
  for i, rule in ipairs(rules) do
    bodies[i] = '{"rule": "' .. rule .. '", "sample": 10}'
  end
  headers["Authorization"] = "Bearer " .. common.token()
  headers["Content-Type"] = "application/json"
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/v1/preview", headers, bodies[next_body])
end

done = common.done
