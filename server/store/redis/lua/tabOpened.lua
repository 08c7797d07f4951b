--[[
  A rep's tab connected on a node: the rep is available (no longer away); refreshes the
  node's heartbeat.

  Input:
    KEYS  the pool-wide keys, then the rep's four keys
    ARGV[1] rep id
    ARGV[2] tab id
    ARGV[3] node id

  Output (JSON):
    { before, after = presence }
]]
--- @include "keys"
--- @include "common"
--- @include "presence"

local rep, tab, node = ARGV[1], ARGV[2], ARGV[3]
local repKey = repKeys(1)
redis.call('ZADD', K.nodes, nowMs(), node)
local before = presenceOf(rep, repKey)
if redis.call('EXISTS', repKey) == 1 then
  if redis.call('HSET', K.tabs, rep .. SEP .. tab, node) == 1 then redis.call('HINCRBY', K.tabn, rep, 1) end
  redis.call('HSET', repKey, 'away', 'false')
end
return reply({ before = before, after = presenceOf(rep, repKey) })
