--[[
  What a rep's pool:state snapshots are built from, read in one step: repView.lua, and
  tabOpened.lua when the connecting tabs ask for it in the same step.

  repViewOf(rep, fields, shared), fields: the rep's hash as just read (hashOf):
    { rep = false } when the rep does not exist, else
    { rep = rep hash, pools = [pool id] (the passed pools the rep is in and that exist),
      missing = [pool id] (pools of the rep that were not passed: the caller reads again
      with them), held = [lead] (its claimed leads, any pool; the caller keeps those
      claimed by it) }
  and each pool named is in `shared` (pool id -> { order, config, settings, open = [lead] }),
  read once per call however many reps of the call are in it: the reps of a burst of
  connects share one read of their pool's open leads.
]]
--- @include "keys"
--- @include "common"
--- @include "leadColumns"
--- @include "eligibility"

-- A passed pool as every view of this call shows it; false when it does not exist.
local function sharedPool(p, shared, absent)
  if shared[p.id] then return shared[p.id] end
  if absent[p.id] then return false end
  local order = redis.call('ZSCORE', K.pools, p.id)
  if not order then
    absent[p.id] = true
    return false
  end
  local open = {}
  for _, id in ipairs(redis.call('ZRANGE', p.open, 0, -1)) do
    if redis.call('HGET', K.status, id) == 'open' then open[#open + 1] = leadOut(id) end
  end
  shared[p.id] = { order = tonumber(order), config = hashOf(p.config), settings = hashOf(p.settings), open = open }
  return shared[p.id]
end

-- Pools of the call that do not exist (not answered in `shared`).
local ABSENT_POOLS = {}

local function repViewOf(rep, fields, shared)
  if next(fields) == nil then return { rep = false } end
  local mine = poolSet(fields.pools)

  local pools, passed = {}, {}
  for _, p in ipairs(POOLS) do
    passed[p.id] = true
    if mine[p.id] and sharedPool(p, shared, ABSENT_POOLS) then pools[#pools + 1] = p.id end
  end
  local missing = {}
  for id in pairs(mine) do
    if not passed[id] and redis.call('ZSCORE', K.pools, id) then missing[#missing + 1] = id end
  end

  local held = {}
  local min, max = claimedRange(rep)
  for _, m in ipairs(redis.call('ZRANGEBYLEX', K.claimed, min, max)) do
    local id = string.sub(m, #rep + #SEP + 1)
    if redis.call('HEXISTS', K.status, id) == 1 then held[#held + 1] = leadOut(id) end
  end
  return { rep = fields, pools = pools, missing = missing, held = held }
end
