--[[
  Pools and hybrid routing: whether a rep may take a lead (server/domain/view.ts mayClaim).
]]
--- @include "keys"
--- @include "common"

-- A rep's pools (the `pools` field of its rep hash, JSON; absent = DEFAULT_POOL_LIST, as
-- decode.ts reads it) as a set: pool id -> true. poolSet: of the field as already read.
local function poolSet(json)
  local list = DEFAULT_POOL_LIST
  if json then list = cjson.decode(json) end
  local set = {}
  if type(list) == 'table' then for _, id in ipairs(list) do set[id] = true end end
  return set
end
local function repPools(repKey) return poolSet(redis.call('HGET', repKey, 'pools')) end

-- The rep's `tokenpools` entry (keys.ts): its token hash -> its pools JSON, as its hash holds them.
local function syncTokenPools(repKey)
  local r = redis.call('HMGET', repKey, 'tokenHash', 'pools')
  if r[1] then redis.call('HSET', K.tokenpools, cjson.decode(r[1]), r[2] or DEFAULT_POOL_JSON) end
end

-- server/domain/view.ts mayClaim: the rep is in the lead's pool and, in hybrid, the lead is
-- routed to it or to everyone. pools: the rep's (repPools); mode: the lead's pool's.
local function mayClaim(id, rep, pools, poolId, mode)
  if not pools[poolId] then return false end
  if mode ~= 'hybrid' then return true end
  local e = redis.call('HGET', K.eligible, id)
  if not e then return true end
  local list = cjson.decode(e)
  if type(list) ~= 'table' then return true end -- everyone
  for _, r in ipairs(list) do if r == rep then return true end end
  return false
end

-- A `pools` list without the ids of pools that do not exist: a rep or feed never keeps a
-- membership of a pool deleted meanwhile.
local function existingPools(list)
  local kept = {}
  for _, id in ipairs(list) do
    if poolExists(id) then kept[#kept + 1] = id end
  end
  return kept
end
local function existingPoolsJson(json) return jsonList(existingPools(cjson.decode(json))) end

-- StoredRep field / JSON value pairs (ARGS from `from` on) with `pools` kept to existing
-- pools; `default`: the pools a rep gets when the pairs name none (nil: none added).
local function repPairs(from, default)
  local out, hasPools = {}, false
  for i = from, #ARGS, 2 do
    local field, value = ARGS[i], ARGS[i + 1]
    if field == 'pools' then
      value = existingPoolsJson(value)
      hasPools = true
    end
    out[#out + 1] = field
    out[#out + 1] = value
  end
  if not hasPools and default then
    out[#out + 1] = 'pools'
    out[#out + 1] = default
  end
  return out
end
