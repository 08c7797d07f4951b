--[[
  Refreshes this node's heartbeat and drops the tabs of nodes silent for staleMs.

  Input:
    KEYS  the global keys, then the four keys of each rep named in ARGS[3..]
    ARGS[1] node id
    ARGS[2] staleMs
    ARGS[3..] the rep ids that have tabs, in the order of their keys

  Output (JSON):
    { changes = [{ repId, before, after = presence }] } of the reps whose presence changed
]]
--- @include "keys"
--- @include "common"
--- @include "presence"
--- @include "audit"

local node, stale = ARGS[1], tonumber(ARGS[2])
local now = nowMs()
redis.call('ZADD', K.nodes, now, node)
local dead = {}
for _, n in ipairs(redis.call('ZRANGEBYSCORE', K.nodes, '-inf', '(' .. (now - stale))) do
  dead[n] = true
  redis.call('ZREM', K.nodes, n)
end
local repIndex = {}
for i = 3, #ARGS do repIndex[ARGS[i]] = i - 2 end
local all = redis.call('HGETALL', K.tabs)
local gone = {}
for i = 1, #all, 2 do
  local field, tabNode = all[i], all[i + 1]
  if dead[tabNode] or not redis.call('ZSCORE', K.nodes, tabNode) then
    local at = string.find(field, SEP, 1, true)
    local rep = at and string.sub(field, 1, at - 1)
    if rep and repIndex[rep] then
      gone[rep] = gone[rep] or {}
      table.insert(gone[rep], field)
    end
  end
end
local changes = {}
for rep, fields in pairs(gone) do
  local repKey = repKeys(repIndex[rep])
  local before = presenceOf(rep, repKey)
  for _, f in ipairs(fields) do
    if redis.call('HDEL', K.tabs, f) == 1 then
      if redis.call('HINCRBY', K.tabn, rep, -1) <= 0 then redis.call('HDEL', K.tabn, rep) end
    end
  end
  local after = presenceOf(rep, repKey)
  if before ~= after then changes[#changes + 1] = { repId = rep, before = before, after = after } end
  if before ~= 'offline' and after == 'offline' then audit('rep.offline', { repId = rep, data = { reason = 'node-gone' } }) end
end
return reply({ changes = changes })
