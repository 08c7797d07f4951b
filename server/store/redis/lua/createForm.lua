--[[
  Stores a new hosted form (or replaces the form with the same id) into an existing pool.

  Input:
    KEYS  the global keys
    ARGS[1] form id
    ARGS[2] pool id
    ARGS[3] StoredForm JSON

  Output (JSON):
    { ok = true } | { code = 'NO_POOL' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"

if not installed() then return fail('NOINSTALL') end
local id, poolId = ARGS[1], ARGS[2]
if not poolExists(poolId) then return fail('NO_POOL') end
if redis.call('HEXISTS', K.forms, id) == 0 then
  redis.call('ZADD', K.formorder, redis.call('INCR', K.formseq), id)
end
-- stored as sent (RedisStore encodes it): cjson would turn an empty list into {}
redis.call('HSET', K.forms, id, ARGS[3])
return reply({ ok = true })
