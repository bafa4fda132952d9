-- wrk script of the bench (bench/http/wrk.ts). With BENCH_TOKENS_FILE set, sends the bearer
-- tokens of that file (one per line) round-robin; without it, wrk's own static request (a
-- `request` function makes every request go through Lua, so it is defined only when needed).
-- Prints the summary as one JSON line when done.
local tokens_file = os.getenv("BENCH_TOKENS_FILE")

if tokens_file and tokens_file ~= "" then
  local tokens = {}
  for line in io.lines(tokens_file) do
    if line ~= "" then tokens[#tokens + 1] = "Bearer " .. line end
  end
  local next_token = 0
  function request()
    next_token = next_token % #tokens + 1
    return wrk.format(nil, nil, { ["Authorization"] = tokens[next_token] })
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
