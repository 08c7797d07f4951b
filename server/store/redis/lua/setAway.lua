--[[
  A rep says it is away, or back.

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

return reply(setPresenceFlag(ARGS[1], repKeys(1), 'away', ARGS[2]))
