--[[
  Sets the pool's mode.

  Input:
    KEYS  the pool-wide keys
    ARGV[1] mode

  Output (JSON):
    { previous = the mode before } | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"

if not installed() then return fail('NOINSTALL') end
local prev = poolMode()
redis.call('HSET', K.pool, 'mode', ARGV[1])
return reply({ previous = prev })
