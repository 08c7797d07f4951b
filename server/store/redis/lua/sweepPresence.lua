--[[
  Refreshes this node's heartbeat and drops the tabs of nodes silent for staleMs. In two
  calls, so the heartbeat of a live cluster costs no rep (server/store/redis/store.ts
  sweepPresence):
  - probe (no rep keys): refreshes the heartbeat; while no node is stale, answers at once.
    Else it answers the reps that have a tab of a stale node, or of a node no longer in
    `nodes` (`full`: always looks for those, as a store written before this sweep may hold
    some), and removes the stale nodes that have no tab left.
  - sweep (the keys of those reps): drops those reps' tabs of stale or unknown nodes. A stale
    node stays in `nodes` while a tab of it is left (a rep not passed): the next probe finds it.

  Input:
    KEYS  the global keys, then the four keys of each rep named in ARGS[4..]
    ARGS[1] node id
    ARGS[2] staleMs
    ARGS[3] 'probe' | 'full' (a probe that also looks for tabs of unknown nodes) | 'sweep'
    ARGS[4..] sweep: the rep ids, in the order of their keys

  Output (JSON):
    { changes = [{ repId, before, after = presence, pools? }], reps = [rep id] }: `changes` the reps
    whose presence changed (sweep), `reps` those to sweep (probe)
]]
--- @include "keys"
--- @include "common"
--- @include "presence"
--- @include "audit"

local node, stale, mode = ARGS[1], tonumber(ARGS[2]), ARGS[3]
local now = nowMs()
redis.call('ZADD', K.nodes, now, node)
local dead, anyDead = {}, false
for _, n in ipairs(redis.call('ZRANGEBYSCORE', K.nodes, '-inf', '(' .. (now - stale))) do
  dead[n] = true
  anyDead = true
end
if mode == 'probe' and not anyDead then return reply({ changes = {}, reps = {} }) end

local repIndex = {}
for i = 4, #ARGS do repIndex[ARGS[i]] = i - 3 end
-- Tabs of stale or unknown nodes, by rep; `left[node]`: a stale node keeps a tab nobody drops now.
local gone, found, left = {}, {}, {}
local all = redis.call('HGETALL', K.tabs)
for i = 1, #all, 2 do
  local field, tabNode = all[i], all[i + 1]
  if dead[tabNode] or not redis.call('ZSCORE', K.nodes, tabNode) then
    local at = string.find(field, SEP, 1, true)
    local rep = at and string.sub(field, 1, at - 1)
    if rep and mode == 'sweep' and repIndex[rep] then
      gone[rep] = gone[rep] or {}
      table.insert(gone[rep], field)
    elseif rep then
      found[rep] = true
      left[tabNode] = true
    end
  end
end
for n in pairs(dead) do
  if not left[n] then redis.call('ZREM', K.nodes, n) end
end
if mode ~= 'sweep' then
  local reps = {}
  for rep in pairs(found) do reps[#reps + 1] = rep end
  return reply({ changes = {}, reps = reps })
end

local changes = {}
for rep, fields in pairs(gone) do
  local repKey = repKeys(repIndex[rep])
  local facts = presenceFacts(rep, repKey)
  local before = presenceFrom(facts)
  for _, f in ipairs(fields) do
    if redis.call('HDEL', K.tabs, f) == 1 then
      facts.tabs = redis.call('HINCRBY', K.tabn, rep, -1)
      if facts.tabs <= 0 then redis.call('HDEL', K.tabn, rep) end
    end
  end
  local after = presenceFrom(facts)
  presenceMoved(rep, before, after)
  if before ~= after then
    local change = changeOf(facts, before, after)
    change.repId = rep
    changes[#changes + 1] = change
  end
  if before ~= 'offline' and after == 'offline' then audit('rep.offline', { repId = rep, data = { reason = 'node-gone' } }) end
end
return reply({ changes = changes, reps = {} })
