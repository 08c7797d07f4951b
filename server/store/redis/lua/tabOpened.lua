--[[
  A rep's tab connected on a node: the rep is available (no longer away); refreshes the
  node's heartbeat.

  Input:
    KEYS  the global keys, then the rep's four keys
    ARGS[1] rep id
    ARGS[2] tab id
    ARGS[3] node id

  Output (JSON):
    { before, after = presence }
]]
--- @include "keys"
--- @include "common"
--- @include "presence"

local rep, tab, node = ARGS[1], ARGS[2], ARGS[3]
local repKey = repKeys(1)
redis.call('ZADD', K.nodes, nowMs(), node)
local before = presenceOf(rep, repKey)
if redis.call('EXISTS', repKey) == 1 then
  if redis.call('HSET', K.tabs, rep .. SEP .. tab, node) == 1 then redis.call('HINCRBY', K.tabn, rep, 1) end
  redis.call('HSET', repKey, 'away', 'false')
end
local after = presenceOf(rep, repKey)
presenceMoved(rep, before, after)
return reply({ before = before, after = after })
