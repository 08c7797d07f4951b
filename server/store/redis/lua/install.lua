--[[
  Marks the store installed and seeds the defaults of whatever is missing (idempotent:
  every node runs it at every connection): the layout version, the pool DEFAULT_POOL and
  its config and settings. A missing marker means an empty store: a fresh install, or a
  Redis that lost its data. A v1 store (installed, no layout) must have been migrated first
  (migratePools.lua runs before this): refused with NOMIGRATE, so nothing is seeded over it.

  Input:
    KEYS  the global keys, then the keys of the pool DEFAULT_POOL
    ARGS[1] a new instance id, kept only when the store has none
    ARGS[2] now as an ISO string (createdAt of a seeded pool)
    ARGS[3..] setting name / JSON value pairs of DEFAULT_SETTINGS (shared/protocol.ts)

  Output (JSON):
    { id = the store's instance id, fresh = whether this call installed it } | { code = 'NOMIGRATE' }
]]
--- @include "keys"
--- @include "common"

local cur = redis.call('GET', K.installed)
if cur and redis.call('EXISTS', K.layout) == 0 then return fail('NOMIGRATE') end
local fresh = false
if not cur then
  cur = ARGS[1]
  redis.call('SET', K.installed, cur)
  redis.call('SET', K.layout, LAYOUT)
  fresh = true
end
local d = POOLS[1]
if not poolExists(d.id) then redis.call('ZADD', K.pools, redis.call('INCR', K.poolseq), d.id) end
redis.call('HSETNX', d.config, 'name', DEFAULT_POOL_NAME)
redis.call('HSETNX', d.config, 'createdAt', ARGS[2])
redis.call('HSETNX', d.config, 'mode', DEFAULT_MODE)
redis.call('HSETNX', d.config, 'rules', '[]') -- no rules
for i = 3, #ARGS, 2 do redis.call('HSETNX', d.settings, ARGS[i], ARGS[i + 1]) end
return reply({ id = cur, fresh = fresh })
