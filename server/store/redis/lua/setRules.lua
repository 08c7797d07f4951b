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
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local p = POOLS[1]
if not poolExists(p.id) then return fail('NOT_FOUND') end
redis.call('HSET', p.config, 'rules', ARGS[1])
local names = {}
for _, rule in ipairs(cjson.decode(ARGS[1])) do names[#names + 1] = rule.name end
audit('pool.rules', { poolId = p.id, data = { rules = names } })
return reply({ ok = true })
