--[[
  Writes some settings of a pool.

  Input:
    KEYS  the global keys, then the pool's keys
    ARGS  setting name / JSON value pairs

  Output (JSON):
    { settings = { name = JSON value } of every stored setting } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"

if not installed() then return fail('NOINSTALL') end
local p = POOLS[1]
if not poolExists(p.id) then return fail('NOT_FOUND') end
if #ARGS > 0 then redis.call('HSET', p.settings, unpack(ARGS)) end
return reply({ settings = hashOf(p.settings) })
