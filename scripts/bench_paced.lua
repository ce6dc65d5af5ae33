-- wrk, for `make bench` (bench_sites.py): each connection waits the given number of
-- milliseconds after every answer before it sends its next request, so a run offers a load
-- below what the server can serve and its latency is each request's own, not a queue's.
local pause = 0

function init(args)
  pause = tonumber(args[1])
end

function delay()
  return pause
end
