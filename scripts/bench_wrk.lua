-- wrk script for scripts/bench_server.py: sends the session cookie, counts every
-- answer that is not a 200 (a redirect to the login page must not pass as a
-- fast page), and prints one JSON line the Python side reads.
local cookie = os.getenv("BENCH_COOKIE") or ""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  wrk.headers["Connection"] = "close"
  wrk.headers["Accept-Encoding"] = os.getenv("BENCH_ENCODING") or "identity"
  if cookie ~= "" then
    wrk.headers["Cookie"] = cookie
  end
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("bad")
  end
  -- Statuses are counted above (errors.status would count a 4xx twice).
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.6f, "p50_us": %d, "p99_us": %d, "max_us": %d, "not_200": %d, "errors": %d, "bytes": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    latency.max, failed, errors, summary.bytes))
end
