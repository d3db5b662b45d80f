-- wrk script: GET /v1/customers/{id} for a random id from $SEGMENTA_IDS (one id a line)
-- with the analyst token of $SEGMENTA_TOKEN.
--   SEGMENTA_TOKEN=sgm_... SEGMENTA_IDS=ids.txt wrk -s lookup.lua http://127.0.0.1:PORT
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")

local ids = {}
local headers = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  local path = os.getenv("SEGMENTA_IDS") or "ids.txt"
  for line in io.lines(path) do
    if line ~= "" then ids[#ids + 1] = line end
  end
  if #ids == 0 then
    io.stderr:write("no ids in " .. path .. "\n")
    os.exit(2)
  end
  headers["Authorization"] = "Bearer " .. common.token()
  -- A different sequence per thread, the same one on every run.
  math.randomseed(42 + (thread_number or 0))
end

function request()
  return wrk.format("GET", "/v1/customers/" .. ids[math.random(#ids)], headers)
end

done = common.done
