-- wrk script: bench/lib/invoke.lua's Invoke, each request with a W3C traceparent of its own
-- (a new random trace id, sampled), as traced callers send them.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "../lib/invoke.lua")

local function hex(n)
  local digits = {}
  for i = 1, n do
    digits[i] = string.format("%x", math.random(0, 15))
  end
  return table.concat(digits)
end

request = function()
  wrk.headers["traceparent"] = "00-" .. hex(32) .. "-" .. hex(16) .. "-01"
  return wrk.format()
end
