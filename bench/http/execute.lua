-- wrk script: POST /api/flows/{id}/execute?wait=5 with a fixed input and the
-- bearer token; counts answers that are not 200 (a 202 means the wait ran out).
-- Usage: wrk -t2 -c64 -d20s -s bench/http/execute.lua URL -- FLOW_ID TOKEN
local flow, token
local not_ok = 0

function init(args)
  flow, token = args[1], args[2]
  wrk.method = "POST"
  wrk.path = "/api/flows/" .. flow .. "/execute?wait=5"
  wrk.body = '{"input":{"text":"hello world","n":3}}'
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"seconds":%.2f,"executions_per_s":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
