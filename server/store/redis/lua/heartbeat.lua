--[[
  This node's presence heartbeat, and what a sweep must look at: refreshes the node's
  heartbeat (idempotent: run twice, it only sets the time again) and answers the reps
  that have a tab on a node silent for staleMs or unknown. Cheap while every node is
  alive: no rep keys, one pass over the tabs, one lookup per node; sweepPresence.lua then
  runs only when there is something to drop, for those reps only.

  Input:
    KEYS  the global keys
    ARGS[1] node id
    ARGS[2] staleMs

  Output (JSON):
    { dead = whether a node's heartbeat is stale, reps = [rep id] with a tab on a stale or unknown node }
]]
--- @include "keys"
--- @include "common"

local node, stale = ARGS[1], tonumber(ARGS[2])
local now = nowMs()
redis.call('ZADD', K.nodes, now, node)
local dead = #redis.call('ZRANGEBYSCORE', K.nodes, '-inf', '(' .. (now - stale), 'LIMIT', 0, 1) > 0
local alive = {}
local reps, seen = {}, {}
local all = redis.call('HGETALL', K.tabs)
for i = 1, #all, 2 do
  local tabNode = all[i + 1]
  if alive[tabNode] == nil then
    local beat = redis.call('ZSCORE', K.nodes, tabNode)
    alive[tabNode] = beat ~= false and tonumber(beat) >= now - stale
  end
  if not alive[tabNode] then
    local at = string.find(all[i], SEP, 1, true)
    local rep = at and string.sub(all[i], 1, at - 1)
    if rep and not seen[rep] then
      seen[rep] = true
      reps[#reps + 1] = rep
    end
  end
end
return reply({ dead = dead, reps = reps })
