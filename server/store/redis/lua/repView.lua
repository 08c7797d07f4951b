--[[
  Read-only: what a rep's pool:state snapshots are built from, in one snapshot: the rep, its
  pools among those passed, their open leads, and the leads it holds (includes/repView.lua).

  Input:
    KEYS  the global keys, then the keys of the pools the caller expects the rep in, then
          the rep's four keys
    ARGS[1] rep id

  Output (JSON): repViewOf's table (includes/repView.lua)
]]
--- @include "keys"
--- @include "common"
--- @include "repView"

return reply(repViewOf(ARGS[1], repKeys(1)))
