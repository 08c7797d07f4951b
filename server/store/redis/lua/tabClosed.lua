--[[
  A rep's tab disconnected.

  Input:
    KEYS  the global keys, then the rep's four keys
    ARGS[1] rep id
    ARGS[2] tab id

  Output (JSON):
    { before, after = presence }
]]
--- @include "keys"
--- @include "common"
--- @include "presence"
--- @include "audit"

local rep, tab = ARGS[1], ARGS[2]
local repKey = repKeys(1)
local before = presenceOf(rep, repKey)
if redis.call('HDEL', K.tabs, rep .. SEP .. tab) == 1 then
  if redis.call('HINCRBY', K.tabn, rep, -1) <= 0 then redis.call('HDEL', K.tabn, rep) end
end
local after = presenceOf(rep, repKey)
if before ~= 'offline' and after == 'offline' then audit('rep.offline', { repId = rep }) end
return reply({ before = before, after = after })
