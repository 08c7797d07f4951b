--[[
  Deletes a pool, refusing (CONFLICT) the pool DEFAULT_POOL and a pool holding open or
  claimed leads, and takes it out of every rep's and every feed's `pools` in the same step.
  Its lead history stays (closed and disqualified leads keep their poolId; its status sets
  and dedup indexes stay with them); its config, settings and rotation go.

  Input:
    KEYS  the global keys, then the pool's keys, then the four keys of every rep
    ARGS  every rep id, in the order of their keys (creation order)

  Output (JSON):
    { ok = true, repIds = [the reps that were in it] }
    | { code = 'NOT_FOUND' | 'CONFLICT' | 'RETRY' (reps changed) | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "eligibility"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local p = POOLS[1]
if not poolExists(p.id) then return fail('NOT_FOUND') end
if p.id == DEFAULT_POOL then return fail('CONFLICT') end
if redis.call('ZCARD', p.open) > 0 or redis.call('ZCARD', p.held) > 0 or redis.call('ZCARD', p.sclaimed) > 0 then
  return fail('CONFLICT')
end
if redis.call('ZCARD', K.reps) ~= #ARGS then return fail('RETRY') end
for _, rep in ipairs(ARGS) do
  if not redis.call('ZSCORE', K.reps, rep) then return fail('RETRY') end
end
local repIds = {}
for i, rep in ipairs(ARGS) do
  local repKey = repKeys(i)
  if repPools(repKey)[p.id] then
    local kept = {}
    for _, id in ipairs(cjson.decode(redis.call('HGET', repKey, 'pools'))) do
      if id ~= p.id then kept[#kept + 1] = id end
    end
    redis.call('HSET', repKey, 'pools', jsonList(kept))
    syncTokenPools(repKey)
    repIds[#repIds + 1] = rep
  end
end
local feeds = redis.call('HGETALL', K.feeds)
for i = 1, #feeds, 2 do
  local feed = cjson.decode(feeds[i + 1])
  local kept, changed = {}, false
  for _, id in ipairs(feed.pools) do
    if id == p.id then changed = true else kept[#kept + 1] = id end
  end
  if changed then
    feed.pools = kept
    redis.call('HSET', K.feeds, feeds[i], cjson.encode(feed))
  end
end
redis.call('DEL', p.config, p.settings, p.rrScore, p.rrAt, p.open, p.held)
redis.call('ZREM', K.pools, p.id)
audit('pool.deleted', { poolId = p.id })
return reply({ ok = true, repIds = repIds })
