--[[
  Read-only: the number of leads in each status, in one snapshot.

  Input:
    KEYS  the pool-wide keys

  Output (JSON):
    { open, claimed, closed, disqualified = counts }
]]
--- @include "keys"
--- @include "common"

local counts = {}
for status, key in pairs(STATUS_SET) do counts[status] = redis.call('ZCARD', key) end
return reply(counts)
