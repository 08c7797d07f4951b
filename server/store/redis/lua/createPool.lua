--[[
  Creates a pool unless one with its id exists. A pool created again after a delete starts
  with the given mode, settings and rules and a fresh rotation.

  Input:
    KEYS  the global keys, then the pool's keys
    ARGS[1] name
    ARGS[2] createdAt (ISO string)
    ARGS[3] mode
    ARGS[4] rules JSON
    ARGS[5..] setting name / JSON value pairs (every setting)

  Output (JSON):
    { created = false when the id exists } | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local p = POOLS[1]
if poolExists(p.id) then return reply({ created = false }) end
redis.call('DEL', p.config, p.settings, p.rrScore, p.rrAt)
redis.call('HSET', p.config, 'name', ARGS[1], 'createdAt', ARGS[2], 'mode', ARGS[3], 'rules', ARGS[4])
if #ARGS > 4 then redis.call('HSET', p.settings, unpack(ARGS, 5)) end
redis.call('ZADD', K.pools, redis.call('INCR', K.poolseq), p.id)
audit('pool.created', { poolId = p.id, data = { name = ARGS[1], mode = ARGS[3] } })
return reply({ created = true })
