--[[
  A rep's schedule turned it off shift, or back on (server/service/shifts.ts). Writing the
  value it already has changes nothing, so every process may write it at a boundary.

  Input:
    KEYS  the global keys, then the rep's four keys
    ARGS[1] rep id
    ARGS[2] 'true' | 'false'

  Output (JSON):
    { before, after = presence, pools? } (includes/presence.lua changeOf)
]]
--- @include "keys"
--- @include "common"
--- @include "presence"

local rep = ARGS[1]
local repKey = repKeys(1)
local facts = presenceFacts(rep, repKey)
local before = presenceFrom(facts)
if facts.exists then
  redis.call('HSET', repKey, 'offShift', ARGS[2])
  facts.offShift = ARGS[2] == 'true'
end
local after = presenceFrom(facts)
presenceMoved(rep, before, after) -- off shift starts the reclaim clock like away
return reply(changeOf(facts, before, after))
