--[[
  A manager assigns an open or claimed lead to a rep, overriding mode and caps.

  Input:
    KEYS  the pool-wide keys, then the rep's four keys
    ARGV[1] lead id
    ARGV[2] rep id

  Output (JSON):
    { ok = true, mode, previousOwner = rep id or absent, lead }
    | { code = 'NOT_FOUND', what = 'lead' | 'rep' } | { code = NOT_OPEN | NOINSTALL }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadState"

if not installed() then return fail('NOINSTALL') end
local id, rep = ARGV[1], ARGV[2]
local repKey = repKeys(1)
local st = redis.call('HGET', K.status, id)
if not st then return fail('NOT_FOUND', { what = 'lead' }) end
if redis.call('EXISTS', repKey) == 0 then return fail('NOT_FOUND', { what = 'rep' }) end
if st ~= 'open' and st ~= 'claimed' then return fail('NOT_OPEN') end
local prev = nil
if st == 'claimed' then prev = redis.call('HGET', K.claimedBy, id) end
take(id, rep, nowMs())
return reply({ ok = true, mode = poolMode(), previousOwner = prev, lead = leadOut(id) })
