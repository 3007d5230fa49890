-- wrk script: POST pre-signed Twilio webhook requests, each one (and its MessageSid) used once.
--
-- Teller answers a repeated MessageSid from its stored reply without doing any work, so a
-- benchmark that repeated one request would measure the replay cache. bench/webhook.py writes
-- a file with one request per line, "<X-Twilio-Signature>\t<form body>", every line with its
-- own MessageSid; thread k of n sends lines k+1, k+1+n, ... so no two threads share a line.
--
-- Arguments (after wrk's "--"): requests file, number of threads, path, then any number of
-- "header:Name=value" headers sent with every request (they replace the defaults: a form
-- Content-Type), and any number of "name=substring" markers: each response is counted under
-- the first marker its body contains ("other" when none does, "status_<code>" when it is not a
-- 200). A line without a tab is a whole body with no X-Twilio-Signature (bench/identity.py
-- posts JSON to the token API that way).
-- done() prints one line "BENCH_JSON {...}" for bench/webhook.py to read.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads, path = args[1], tonumber(args[2]), args[3]
  markers = {}
  local fixed = {["Content-Type"] = "application/x-www-form-urlencoded"}
  for i = 4, #args do
    local header, value = string.match(args[i], "^header:([^=]+)=(.*)$")
    if header then
      fixed[header] = value
    else
      local name, text = string.match(args[i], "^([^=]+)=(.*)$")
      table.insert(markers, {name, text})
    end
  end
  requests = {}
  local line_no = 0
  for line in io.lines(file) do
    if line_no % nthreads == id then
      local headers = {}
      for name, value in pairs(fixed) do headers[name] = value end
      local body = line
      local tab = string.find(line, "\t", 1, true)
      if tab then
        headers["X-Twilio-Signature"] = string.sub(line, 1, tab - 1)
        body = string.sub(line, tab + 1)
      end
      table.insert(requests, wrk.format("POST", path, headers, body))
    end
    line_no = line_no + 1
  end
  index = 0
  wrapped = 0
  counts = {}
end

function request()
  index = index + 1
  if index > #requests then
    -- Out of fresh requests: start over, and say so (repeats flatter Teller's figures).
    index = 1
    wrapped = wrapped + 1
  end
  return requests[index]
end

function response(status, headers, body)
  local key = "other"
  if status ~= 200 then
    key = "status_" .. status
  else
    for _, marker in ipairs(markers) do
      if string.find(body, marker[2], 1, true) then
        key = marker[1]
        break
      end
    end
  end
  counts[key] = (counts[key] or 0) + 1
end

local function json_counts(totals)
  local parts = {}
  for name, n in pairs(totals) do
    table.insert(parts, string.format("%q:%d", name, n))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests_stats)
  local totals, wraps = {}, 0
  for _, thread in ipairs(threads) do
    for name, n in pairs(thread:get("counts")) do
      totals[name] = (totals[name] or 0) + n
    end
    wraps = wraps + thread:get("wrapped")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us":%d,"requests":%d,"bytes":%d,"errors":{"connect":%d,'
      .. '"read":%d,"write":%d,"status":%d,"timeout":%d},"latency_us":{"mean":%.1f,'
      .. '"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d},"wrapped":%d,"responses":%s}\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, wraps, json_counts(totals)))
end
