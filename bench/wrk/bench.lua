-- wrk script for bench/run.sh.
-- Without BENCH_TOKENS_FILE: static requests (headers from wrk -H), only the summary below.
-- With BENCH_TOKENS_FILE: each request carries the next token of that file (one per line) as a
-- bearer token (or as BENCH_TOKENS_HEADER); each thread starts at its own offset so the threads do not walk in step.
-- done() prints one machine-readable line that run.sh parses.

local tokens_file = os.getenv("BENCH_TOKENS_FILE")
-- BENCH_TOKENS_HEADER (e.g. X-API-Key): send each token as that header's whole value instead.
local tokens_header = os.getenv("BENCH_TOKENS_HEADER")
local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

if tokens_file and tokens_file ~= "" then
  local tokens = {}
  local n = 0
  local i = 0

  function init(args)
    for line in io.lines(tokens_file) do
      if line ~= "" then
        n = n + 1
        tokens[n] = line
      end
    end
    if n == 0 then error("no tokens in " .. tokens_file) end
    i = math.floor((thread_index or 0) * n / 2) % n
  end

  function request()
    i = i % n + 1
    if tokens_header and tokens_header ~= "" then
      return wrk.format(nil, nil, { [tokens_header] = tokens[i] })
    end
    return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. tokens[i] })
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d socket_errors=%d non2xx3xx=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), socket_errors, e.status))
end
