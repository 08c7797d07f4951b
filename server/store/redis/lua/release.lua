--[[
  A claimed lead goes back to its pool: released by its owner, or by a manager.

  Input:
    KEYS  the global keys, then every pool's keys
    ARGS[1] lead id
    ARGS[2] rep id, or '' when a manager releases

  Output (JSON):
    { ok = true, mode, previousOwner = rep id, lead }
    | { code = NOT_FOUND | NOT_OWNER | RETRY (pools changed) | NOINSTALL }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadState"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
if not allPoolsPassed() then return fail('RETRY') end
local id, by = ARGS[1], ARGS[2]
local st = redis.call('HGET', K.status, id)
if not st then return fail('NOT_FOUND') end
local owner = redis.call('HGET', K.claimedBy, id)
if st ~= 'claimed' or (by ~= '' and owner ~= by) then return fail('NOT_OWNER') end
-- a claimed lead's pool exists (deletePool refuses a pool holding claimed leads)
local p = poolOfLead(id)
reopen(id, p)
audit('lead.released', { poolId = p.id, leadId = id, repId = owner, data = { reason = auditReason(by ~= '' and 'rep' or 'manager'), by = auditCtx().actor.role } })
return reply({ ok = true, mode = poolMode(p), previousOwner = owner, lead = leadOut(id) })
