--[[
  Writes some settings.

  Input:
    KEYS  the pool-wide keys
    ARGV  setting name / JSON value pairs

  Output (JSON):
    { settings = { name = JSON value } of every stored setting } | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"

if not installed() then return fail('NOINSTALL') end
if #ARGV > 0 then redis.call('HSET', K.settings, unpack(ARGV)) end
return reply({ settings = hashOf(K.settings) })
