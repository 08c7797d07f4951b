--[[
  Writes some fields of an existing rep.

  Input:
    KEYS  the pool-wide keys, then the rep's four keys
    ARGV[1] rep id
    ARGV[2..] StoredRep field / JSON value pairs

  Output (JSON):
    { ok = true, rep = { field = JSON value } } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"

if not installed() then return fail('NOINSTALL') end
local repKey = repKeys(1)
if redis.call('EXISTS', repKey) == 0 then return fail('NOT_FOUND') end
if #ARGV > 1 then redis.call('HSET', repKey, unpack(ARGV, 2)) end
return reply({ ok = true, rep = hashOf(repKey) })
