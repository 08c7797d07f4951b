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
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local p = POOLS[1]
if not poolExists(p.id) then return fail('NOT_FOUND') end
if #ARGS > 0 then redis.call('HSET', p.settings, unpack(ARGS)) end
local patch = {}
for i = 1, #ARGS, 2 do patch[ARGS[i]] = cjson.decode(ARGS[i + 1]) end
audit('pool.settings', { poolId = p.id, data = { patch = patch } })
return reply({ settings = hashOf(p.settings) })
