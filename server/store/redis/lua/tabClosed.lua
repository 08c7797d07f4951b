--[[
  Reps' tabs disconnected, in order (one call for the tabs that closed at about the same
  time: server/store/redis/store.ts batches them, as it does opening tabs).

  Input:
    KEYS  the global keys, then the four keys of each tab's rep, in tab order
    ARGS  rep id, tab id: one pair per tab

  Output (JSON):
    [ { before, after = presence, pools? } ] (one per tab, in order; includes/presence.lua changeOf)
]]
--- @include "keys"
--- @include "common"
--- @include "presence"
--- @include "audit"

local changes = {}
for i = 1, #ARGS / 2 do
  local rep, tab = ARGS[2 * i - 1], ARGS[2 * i]
  local repKey = repKeys(i)
  local facts = presenceFacts(rep, repKey)
  local before = presenceFrom(facts)
  if redis.call('HDEL', K.tabs, rep .. SEP .. tab) == 1 then
    facts.tabs = redis.call('HINCRBY', K.tabn, rep, -1)
    if facts.tabs <= 0 then redis.call('HDEL', K.tabn, rep) end
  end
  local after = presenceFrom(facts)
  presenceMoved(rep, before, after)
  -- each its own rep's going (the call's context has no one actor)
  if before ~= 'offline' and after == 'offline' then audit('rep.offline', { repId = rep, actor = { role = 'rep', id = rep } }) end
  changes[i] = changeOf(facts, before, after)
end
return reply(changes)
