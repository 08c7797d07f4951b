--[[
  A manager assigns an open or claimed lead to a rep, overriding mode and caps but not
  pools: a rep outside the lead's pool answers NOT_ELIGIBLE.

  Input:
    KEYS  the global keys, then every pool's keys, then the rep's four keys
    ARGS[1] lead id
    ARGS[2] rep id

  Output (JSON):
    { ok = true, mode, previousOwner = rep id or absent, lead }
    | { code = 'NOT_FOUND', what = 'lead' | 'rep' } | { code = NOT_OPEN | NOT_ELIGIBLE | RETRY | NOINSTALL }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadState"
--- @include "eligibility"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
if not allPoolsPassed() then return fail('RETRY') end
local id, rep = ARGS[1], ARGS[2]
local repKey = repKeys(1)
local st = redis.call('HGET', K.status, id)
if not st then return fail('NOT_FOUND', { what = 'lead' }) end
if redis.call('EXISTS', repKey) == 0 then return fail('NOT_FOUND', { what = 'rep' }) end
if st ~= 'open' and st ~= 'claimed' then return fail('NOT_OPEN') end
-- an open or claimed lead's pool exists (deletePool refuses a pool holding such leads)
local p = poolOfLead(id)
if not repPools(repKey)[p.id] then return fail('NOT_ELIGIBLE') end
local prev = nil
if st == 'claimed' then prev = redis.call('HGET', K.claimedBy, id) end
take(id, p, rep, nowMs())
if prev and prev ~= rep then audit('lead.revoked', { poolId = p.id, leadId = id, repId = prev, data = { reason = 'reassigned' } }) end
audit('lead.assigned', { poolId = p.id, leadId = id, repId = rep, data = { via = auditReason('manual'), previousOwner = prev } })
return reply({ ok = true, mode = poolMode(p), previousOwner = prev, lead = leadOut(id) })
