--[[
  Creates a rep (or overwrites one with the same id). Its `pools` keep only pools that
  exist; without `pools` it is in DEFAULT_POOL.

  Input:
    KEYS  the global keys, then the rep's four keys
    ARGS[1] rep id
    ARGS[2] token hash
    ARGS[3..] StoredRep field / JSON value pairs

  Output (JSON):
    { ok = true } | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "eligibility"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local repKey = repKeys(1)
redis.call('DEL', repKey)
redis.call('HSET', repKey, unpack(repPairs(3, DEFAULT_POOL_JSON)))
redis.call('HSET', K.tokens, ARGS[2], ARGS[1])
syncTokenPools(repKey)
redis.call('ZADD', K.reps, redis.call('INCR', K.repseq), ARGS[1])
local stored = redis.call('HMGET', repKey, 'name', 'pools')
audit('rep.created', { repId = ARGS[1], data = { name = stored[1] and cjson.decode(stored[1]), pools = stored[2] and cjson.decode(stored[2]) } })
return reply({ ok = true })
