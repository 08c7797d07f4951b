--[[
  Hybrid routing of a pool changed (rules or reps): sets the eligible list of each lead of
  that pool still open and not escalated, keeping every rep's eligibility index. Leads of
  other pools are left alone.

  Input:
    KEYS  the global keys, then the pool's keys, then the four keys of each rep named in ARGS[2..]
    ARGS[1] changes JSON: [{ id, json = the new eligible as stored, reps = its rep ids (empty for everyone) }]
    ARGS[2..] every rep id in an old or new eligible list, in the order of their keys

  Output (JSON):
    { changed = [lead id] }
]]
--- @include "keys"
--- @include "common"
--- @include "leadColumns"

local pool = POOLS[1].id
local changes = cjson.decode(ARGS[1])
local index = {}
for i = 2, #ARGS do index[ARGS[i]] = i - 1 end
local function eligKeyOf(rep)
  local i = index[rep]
  if not i then return nil end
  local _, _, _, k = repKeys(i)
  return k
end
local changed = {}
for _, c in ipairs(changes) do
  local id = c.id
  if redis.call('HGET', K.poolId, id) == pool and redis.call('HGET', K.status, id) == 'open'
      and redis.call('HEXISTS', K.escalatedAt, id) == 0 and not openedByStranding(id) then
    local old = redis.call('HGET', K.eligible, id)
    if old ~= c.json then
      if old and old ~= EVERYONE_JSON then
        for _, r in ipairs(cjson.decode(old)) do
          local k = eligKeyOf(r)
          if k then redis.call('SREM', k, id) end
        end
      end
      for _, r in ipairs(c.reps) do
        local k = eligKeyOf(r)
        if k then redis.call('SADD', k, id) end
      end
      redis.call('HSET', K.eligible, id, c.json)
      changed[#changed + 1] = id
    end
  end
end
return reply({ changed = changed })
