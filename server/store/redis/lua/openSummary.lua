--[[
  Read-only: a pool's open count and its oldest open lead's creation time, in one snapshot.

  Input:
    KEYS  the global keys, then the pool's keys

  Output (JSON):
    { count, oldest = ms, or false when the pool is empty }
]]
--- @include "keys"
--- @include "common"

local p = POOLS[1]
local count = redis.call('ZCARD', p.open)
local first = redis.call('ZRANGE', p.open, 0, 0)
local oldest = false
if first[1] then oldest = tonumber(redis.call('HGET', K.createdAt, first[1])) or false end
return reply({ count = count, oldest = oldest })
