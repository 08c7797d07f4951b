--[[
  Creates a rep (or overwrites one with the same id).

  Input:
    KEYS  the pool-wide keys, then the rep's four keys
    ARGV[1] rep id
    ARGV[2] token hash
    ARGV[3..] StoredRep field / JSON value pairs

  Output (JSON):
    { ok = true } | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"

if not installed() then return fail('NOINSTALL') end
local repKey = repKeys(1)
redis.call('DEL', repKey)
redis.call('HSET', repKey, unpack(ARGV, 3))
redis.call('HSET', K.tokens, ARGV[2], ARGV[1])
redis.call('ZADD', K.reps, redis.call('INCR', K.repseq), ARGV[1])
return reply({ ok = true })
