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

return reply(setPresenceFlag(ARGS[1], repKeys(1), 'offShift', ARGS[2]))
