--[[
  What a rep's pool:state snapshots are built from, read in one step: repView.lua, and
  tabOpened.lua when the connecting tab asks for it in the same step.

  repViewOf(rep, repKey): { rep = false } when the rep does not exist, else
    { rep = rep hash, pools = [{ id, order, config, settings, open = [lead] }] (the passed
      pools the rep is in and that exist), missing = [pool id] (pools of the rep that were
      not passed: the caller reads again with them), held = [lead] (its claimed leads, any
      pool; the caller keeps those claimed by it) }
]]
--- @include "keys"
--- @include "common"
--- @include "leadColumns"
--- @include "eligibility"

local function repViewOf(rep, repKey)
  local fields = hashOf(repKey)
  if next(fields) == nil then return { rep = false } end
  local mine = repPools(repKey)

  local pools, passed = {}, {}
  for _, p in ipairs(POOLS) do
    passed[p.id] = true
    local order = redis.call('ZSCORE', K.pools, p.id)
    if mine[p.id] and order then
      local open = {}
      for _, id in ipairs(redis.call('ZRANGE', p.open, 0, -1)) do
        if redis.call('HGET', K.status, id) == 'open' then open[#open + 1] = leadOut(id) end
      end
      pools[#pools + 1] = { id = p.id, order = tonumber(order), config = hashOf(p.config), settings = hashOf(p.settings), open = open }
    end
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
