--[[
  Read-only: what a rep's pool:state snapshots are built from, in one snapshot: the rep, its
  pools among those passed, their open leads, and the leads it holds (includes/repView.lua).

  Input:
    KEYS  the global keys, then the keys of the pools the caller expects the rep in, then
          the rep's four keys
    ARGS[1] rep id

  Output (JSON): { view = repViewOf's table, pools = the pools it names } (includes/repView.lua)
]]
--- @include "keys"
--- @include "common"
--- @include "repView"

local shared = {}
local view = repViewOf(ARGS[1], hashOf(repKeys(1)), shared)
return reply({ view = view, pools = shared })
