--[[
  Replaces a pool's hybrid rules.

  Input:
    KEYS  the global keys, then the pool's keys
    ARGS[1] rules JSON

  Output (JSON):
    { ok = true } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"

if not installed() then return fail('NOINSTALL') end
local p = POOLS[1]
if not poolExists(p.id) then return fail('NOT_FOUND') end
redis.call('HSET', p.config, 'rules', ARGS[1])
return reply({ ok = true })
