--[[
  Sets a pool's mode.

  Input:
    KEYS  the global keys, then the pool's keys
    ARGS[1] mode

  Output (JSON):
    { previous = the mode before } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local p = POOLS[1]
if not poolExists(p.id) then return fail('NOT_FOUND') end
local prev = poolMode(p)
redis.call('HSET', p.config, 'mode', ARGS[1])
audit('pool.mode', { poolId = p.id, data = { mode = ARGS[1], previous = prev } })
return reply({ previous = prev })
