--[[
  Replaces the hybrid rules.

  Input:
    KEYS  the pool-wide keys
    ARGV[1] rules JSON

  Output (JSON):
    { ok = true } | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"

if not installed() then return fail('NOINSTALL') end
redis.call('HSET', K.pool, 'rules', ARGV[1])
return reply({ ok = true })
