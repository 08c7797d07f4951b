--[[
  A rep's tab connected on a node: the rep is available (no longer away); refreshes the
  node's heartbeat. A connecting tab also reads its snapshot here, right after, in the same
  step (one call to Redis instead of two): that read is answered, not stored with the
  operation (scripts.ts, a body's second value), so a replayed operation answers without it.

  Input:
    KEYS  the global keys, then the keys of the pools the caller expects the rep in (none
          without a read), then the rep's four keys
    ARGS[1] rep id
    ARGS[2] tab id
    ARGS[3] node id
    ARGS[4] 'view' to read the rep's view too, else ''

  Output (JSON):
    { before, after = presence }, and with 'view' also repViewOf's table (includes/repView.lua)
]]
--- @include "keys"
--- @include "common"
--- @include "presence"
--- @include "repView"

local rep, tab, node, read = ARGS[1], ARGS[2], ARGS[3], ARGS[4]
local repKey = repKeys(1)
redis.call('ZADD', K.nodes, nowMs(), node)
local before = presenceOf(rep, repKey)
if redis.call('EXISTS', repKey) == 1 then
  if redis.call('HSET', K.tabs, rep .. SEP .. tab, node) == 1 then redis.call('HINCRBY', K.tabn, rep, 1) end
  redis.call('HSET', repKey, 'away', 'false')
end
local after = presenceOf(rep, repKey)
presenceMoved(rep, before, after)
local change = reply({ before = before, after = after })
if read == 'view' then return change, reply(repViewOf(rep, repKey)) end
return change
