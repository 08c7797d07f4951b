--[[
  Renames a pool.

  Input:
    KEYS  the global keys, then the pool's keys
    ARGS[1] name

  Output (JSON):
    { config = { field = value }, settings = { name = JSON value } } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local p = POOLS[1]
if not poolExists(p.id) then return fail('NOT_FOUND') end
redis.call('HSET', p.config, 'name', ARGS[1])
audit('pool.renamed', { poolId = p.id, data = { name = ARGS[1] } })
return reply({ config = hashOf(p.config), settings = hashOf(p.settings) })
