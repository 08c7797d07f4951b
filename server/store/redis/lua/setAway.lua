--[[
  A rep says it is away, or back.

  Input:
    KEYS  the global keys, then the rep's four keys
    ARGS[1] rep id
    ARGS[2] 'true' | 'false'

  Output (JSON):
    { before, after = presence }
]]
--- @include "keys"
--- @include "common"
--- @include "presence"

local rep = ARGS[1]
local repKey = repKeys(1)
local before = presenceOf(rep, repKey)
if redis.call('EXISTS', repKey) == 1 then redis.call('HSET', repKey, 'away', ARGS[2]) end
local after = presenceOf(rep, repKey)
presenceMoved(rep, before, after)
return reply({ before = before, after = after })
