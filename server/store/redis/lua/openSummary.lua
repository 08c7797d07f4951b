--[[
  Read-only: the open count and the oldest open lead's creation time, in one snapshot.

  Input:
    KEYS  the pool-wide keys

  Output (JSON):
    { count, oldest = ms, or false when the pool is empty }
]]
--- @include "keys"
--- @include "common"

local count = redis.call('ZCARD', K.open)
local first = redis.call('ZRANGE', K.open, 0, 0)
local oldest = false
if first[1] then oldest = tonumber(redis.call('HGET', K.createdAt, first[1])) or false end
return reply({ count = count, oldest = oldest })
