--[[
  Migrates a v1 store (one pool; `installed` set, no `layout`) to pools, in one step, so it
  is atomic and several processes starting at once migrate it exactly once (the store runs
  it at every connection, after migrateV1 and before install; it does nothing once `layout`
  is set, or on an empty store). v1 becomes the pool DEFAULT_POOL:
  - v1's pool hash (mode, rules) and settings hash become the pool's config (+ name
    DEFAULT_POOL_NAME, createdAt now) and settings; v1's ext/email/phone dedup indexes
    become the pool's (RENAME: same slot, nothing copied);
  - the pool's lead index and status sets are copies of the global ones, its held index a
    copy of `claimed`, and every lead gets poolId DEFAULT_POOL (O(leads), once);
  - every rep without `pools` gets [DEFAULT_POOL]; round-robin turns (counter fields rrScore,
    or rr before v1, and lastAssignedAt) move from the rep's counters to the pool's rrScore
    and rrAt.
  Stop every v1 process before the first v2 one starts: a v1 process would keep writing the
  old keys.

  Input:
    KEYS  the global keys, then the keys of the pool DEFAULT_POOL, then the four keys of every
          rep, then v1's single-pool keys (keys.ts V1_POOL_KEYS order)
    ARGS[1] now as an ISO string (createdAt of the pool)
    ARGS[2..] every rep id, in the order of their keys

  Output (JSON):
    { migrated = whether this call migrated, leads = number of leads, reps = number of reps }
    | { code = 'RETRY' (reps changed) }
]]
--- @include "keys"
--- @include "common"

if redis.call('EXISTS', K.installed) == 0 or redis.call('EXISTS', K.layout) == 1 then
  return reply({ migrated = false, leads = 0, reps = 0 })
end
local repIds = {}
for i = 2, #ARGS do repIds[#repIds + 1] = ARGS[i] end
if redis.call('ZCARD', K.reps) ~= #repIds then return fail('RETRY') end
for _, rep in ipairs(repIds) do
  if not redis.call('ZSCORE', K.reps, rep) then return fail('RETRY') end
end
local d = POOLS[1]

-- v1's single-pool keys become the pool's
local v1Base = REP_BASE + #repIds * REP_KEY_COUNT
for i, to in ipairs(V1_POOL_TARGETS) do
  local from = KEYS[v1Base + i]
  if redis.call('EXISTS', from) == 1 and redis.call('EXISTS', d[to]) == 0 then redis.call('RENAME', from, d[to]) end
end
redis.call('HSETNX', d.config, 'name', DEFAULT_POOL_NAME)
redis.call('HSETNX', d.config, 'createdAt', ARGS[1])
redis.call('HSETNX', d.config, 'mode', DEFAULT_MODE)
redis.call('HSETNX', d.config, 'rules', '[]')

-- its leads: index, status sets, held index, poolId column
for _, name in ipairs({ 'leads', 'open', 'sclaimed', 'sclosed', 'sdisq' }) do
  if redis.call('EXISTS', K[name]) == 1 then redis.call('ZUNIONSTORE', d[name], 1, K[name]) end
end
if redis.call('EXISTS', K.claimed) == 1 then redis.call('ZUNIONSTORE', d.held, 1, K.claimed) end
local ids = redis.call('ZRANGE', K.leads, 0, -1)
for _, id in ipairs(ids) do redis.call('HSETNX', K.poolId, id, d.id) end

-- reps: pools, and their round-robin turns
for i, rep in ipairs(repIds) do
  local repKey, ctrKey = repKeys(i)
  redis.call('HSETNX', repKey, 'pools', DEFAULT_POOL_JSON)
  local c = redis.call('HMGET', ctrKey, 'rrScore', 'rr', 'lastAssignedAt')
  if c[1] or c[2] then redis.call('HSETNX', d.rrScore, rep, c[1] or c[2]) end
  if c[3] then redis.call('HSETNX', d.rrAt, rep, c[3]) end
  redis.call('HDEL', ctrKey, 'rrScore', 'rr', 'lastAssignedAt')
end

if not redis.call('ZSCORE', K.pools, d.id) then redis.call('ZADD', K.pools, redis.call('INCR', K.poolseq), d.id) end
redis.call('SET', K.layout, LAYOUT)
return reply({ migrated = true, leads = #ids, reps = #repIds })
