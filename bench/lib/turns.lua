-- wrk script: several servers loaded in turn by one wrk, so that the machine's speed, which moves
-- from one second to the next and within a second, weighs on every server alike.
-- WRK_PORTS lists the servers' ports (on 127.0.0.1); thread i talks to server i mod N only (so run
-- wrk with N times the threads and connections one server gets). Time is cut into turns of
-- WRK_TURN_MS (default 1000) milliseconds, given to the servers in order, and a connection sends a
-- request only during its server's turns: the others wait, idle, for theirs.
-- Prints "SERVER i requests=n" for each server and "TURN t i n" for each turn (turn number, server,
-- requests sent in it), then the errors.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } turns_timespec;
int clock_gettime(int clock_id, turns_timespec *time);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("turns_timespec")
-- The same clock in every thread, so all of them agree on whose turn it is.
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

-- The request bench/lib/invoke.lua sends (a signed one when WRK_AUTHORIZATION is set; its Host header
-- is the URL's, and every server is given the same request); its done() is replaced below.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "invoke.lua")

local ports = {}
for port in string.gmatch(os.getenv("WRK_PORTS") or "", "%d+") do table.insert(ports, port) end
if #ports == 0 then error("WRK_PORTS must list the servers' ports") end
local turn_ms = tonumber(os.getenv("WRK_TURN_MS") or "1000")

local threads = {}
function setup(thread)
  local server = #threads % #ports
  table.insert(threads, thread)
  thread.addr = wrk.lookup("127.0.0.1", ports[server + 1])[1]
  thread:set("server", server)
  thread:set("servers", #ports)
  thread:set("turn_ms", turn_ms)
end

-- Requests sent, by turn (globals: done() reads them from each thread).
sent = {}

function delay()
  local now = now_ms()
  local turn = math.floor(now / turn_ms)
  local wait = (server - turn) % servers
  if wait == 0 then
    sent[turn] = (sent[turn] or 0) + 1
    return 0
  end
  return math.ceil((turn + wait) * turn_ms - now)
end

done = function(summary, latency, requests)
  local totals, turns, order = {}, {}, {}
  for _, thread in ipairs(threads) do
    local server = thread:get("server")
    for turn, n in pairs(thread:get("sent")) do
      totals[server] = (totals[server] or 0) + n
      if not turns[turn] then table.insert(order, turn) end
      turns[turn] = (turns[turn] or 0) + n
    end
  end
  for server = 0, #ports - 1 do
    io.write(string.format("SERVER %d requests=%d\n", server, totals[server] or 0))
  end
  table.sort(order)
  for _, turn in ipairs(order) do
    io.write(string.format("TURN %d %d %d\n", turn, turn % #ports, turns[turn]))
  end
  local e = summary.errors
  io.write(string.format("ERRORS status=%d connect=%d read=%d write=%d timeout=%d\n", e.status, e.connect, e.read, e.write, e.timeout))
end
