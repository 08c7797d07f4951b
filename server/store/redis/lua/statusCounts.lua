--[[
  Read-only: the number of leads in each status, in one pool or in all, in one snapshot.

  Input:
    KEYS  the global keys, then the pool's keys (none: all pools)

  Output (JSON):
    { open, claimed, closed, disqualified = counts }
]]
--- @include "keys"
--- @include "common"

local counts = {}
local p = POOLS[1]
for status, key in pairs(STATUS_SET) do
  if p then key = poolStatusSet(p, status) end
  counts[status] = redis.call('ZCARD', key)
end
return reply(counts)
