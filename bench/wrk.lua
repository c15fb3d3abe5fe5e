-- wrk script for compare.sh: the method comes as the script argument (`-- OPTIONS`), headers with -H.
-- At the end it prints one machine-readable line: completed requests, the run's length and latency
-- percentiles in microseconds, and the error counters (status = responses with a status >= 400).
function init(args)
   if args[1] ~= nil and args[1] ~= "" then
      wrk.method = args[1]
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "WRK_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      e.connect, e.read, e.write, e.status, e.timeout))
end
