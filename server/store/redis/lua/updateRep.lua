--[[
  Writes some fields of an existing rep; new `pools` keep only pools that exist.

  Input:
    KEYS  the global keys, then the rep's four keys
    ARGS[1] rep id
    ARGS[2..] StoredRep field / JSON value pairs

  Output (JSON):
    { ok = true, rep = { field = JSON value } } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "eligibility"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local repKey = repKeys(1)
if redis.call('EXISTS', repKey) == 0 then return fail('NOT_FOUND') end
if #ARGS > 1 then redis.call('HSET', repKey, unpack(repPairs(2, nil))) end
syncTokenPools(repKey)
local fields = {}
for i = 2, #ARGS, 2 do fields[#fields + 1] = ARGS[i] end
audit('rep.updated', { repId = ARGS[1], data = { fields = fields } })
return reply({ ok = true, rep = hashOf(repKey) })
