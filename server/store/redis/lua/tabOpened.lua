--[[
  Tabs of reps connected on a node, in order (one call for the tabs that connected at about
  the same time: server/store/redis/store.ts batches them): each rep is available (no longer
  away); refreshes the node's heartbeat. With 'view', each tab also reads its rep's view
  right after its own change, in the same step: those reads are answered, not stored with
  the operation (scripts.ts, a body's second value), so a replayed operation answers the
  changes alone.

  Input:
    KEYS  the global keys, then the keys of the pools the callers expect their reps in (none
          without 'view'), then the four keys of each tab's rep, in tab order
    ARGS[1] node id
    ARGS[2] 'view' to read each rep's view too, else ''
    ARGS[3..] rep id, tab id: one pair per tab

  Output (JSON):
    { changes = [{ before, after = presence }] } (one per tab, in order), and with 'view'
    also { views = [repViewOf's table] (one per tab), pools = the pools they name, read
    once } (includes/repView.lua)
]]
--- @include "keys"
--- @include "common"
--- @include "presence"
--- @include "repView"

local node, read = ARGS[1], ARGS[2]
redis.call('ZADD', K.nodes, nowMs(), node)
local changes, views, shared = {}, {}, {}
for i = 1, (#ARGS - 2) / 2 do
  local rep, tab = ARGS[1 + 2 * i], ARGS[2 + 2 * i]
  local repKey = repKeys(i)
  -- With views, the rep's hash is read once, for its presence and its view.
  local fields = read == 'view' and hashOf(repKey) or nil
  local facts = presenceFacts(rep, repKey, fields)
  local before = presenceFrom(facts)
  if facts.exists then
    if redis.call('HSET', K.tabs, rep .. SEP .. tab, node) == 1 then facts.tabs = redis.call('HINCRBY', K.tabn, rep, 1) end
    if facts.away then
      redis.call('HSET', repKey, 'away', 'false')
      facts.away = false
      if fields then fields.away = 'false' end
    end
  end
  local after = presenceFrom(facts)
  presenceMoved(rep, before, after)
  changes[i] = changeOf(facts, before, after)
  if fields then views[i] = repViewOf(rep, fields, shared) end
end
local stored = reply({ changes = changes })
if read == 'view' then return stored, reply({ views = views, pools = shared }) end
return stored
