--[[
  A claimed lead goes back to the pool: released by its owner, or by a manager.

  Input:
    KEYS  the pool-wide keys
    ARGV[1] lead id
    ARGV[2] rep id, or '' when a manager releases

  Output (JSON):
    { ok = true, mode, previousOwner = rep id, lead } | { code = NOT_FOUND | NOT_OWNER | NOINSTALL }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadState"

if not installed() then return fail('NOINSTALL') end
local id, by = ARGV[1], ARGV[2]
local st = redis.call('HGET', K.status, id)
if not st then return fail('NOT_FOUND') end
local owner = redis.call('HGET', K.claimedBy, id)
if st ~= 'claimed' or (by ~= '' and owner ~= by) then return fail('NOT_OWNER') end
reopen(id)
return reply({ ok = true, mode = poolMode(), previousOwner = owner, lead = leadOut(id) })
