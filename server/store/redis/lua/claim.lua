--[[
  A rep claims an open lead: the race of the shark-tank, cherry-pick and hybrid modes.
  Checks in the order of server/domain/policy.ts checkClaim; change them together. The
  lead's pool decides mode, settings and the per-rep cap.

  Input:
    KEYS  the global keys, then every pool's keys, then the rep's four keys
    ARGS[1] lead id
    ARGS[2] rep id
    ARGS[3] the claiming tab's id, or ''

  Output (JSON):
    { ok = true, mode, lead, otherTabs = whether the rep has an open tab besides ARGS[3] }
    | { code = NOT_FOUND | MODE_FORBIDS | ALREADY_CLAIMED | NOT_OPEN | NOT_ELIGIBLE | UNAVAILABLE
        | RATE_LIMITED | CAP_REACHED | COOLDOWN | WINDOW_CAP | RETRY (pools changed) | NOINSTALL }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadState"
--- @include "eligibility"
--- @include "repLimits"
--- @include "audit"
--- @include "presence"

if not installed() then return fail('NOINSTALL') end
if not allPoolsPassed() then return fail('RETRY') end
local id, rep = ARGS[1], ARGS[2]
local repKey, ctrKey, rlKey = repKeys(1)
local now = nowMs()
-- limits() in two halves: the rep's state is read only past the lead's own checks
local actions = countAction(repKey, rlKey, now)
if not actions then return fail('NOT_FOUND') end
local st = redis.call('HGET', K.status, id)
if not st then return fail('NOT_FOUND') end
-- nil when the lead's pool is gone (only closed and disqualified leads outlive their pool)
local p = poolOfLead(id)
local mode = p and poolMode(p)
if mode == 'blind-pull' or mode == 'round-robin' then return fail('MODE_FORBIDS') end
if st == 'claimed' then return fail('ALREADY_CLAIMED') end
if st ~= 'open' then return fail('NOT_OPEN') end
local l = repState(rep, repKey, ctrKey, actions)
if not p or not mayClaim(id, rep, l.pools, p.id, mode) then return fail('NOT_ELIGIBLE') end
local f = checkLimits(l, p, now)
if f then return fail(f) end
take(id, p, rep, now)
recordClaim(ctrKey, l.recentClaims, now)
audit('lead.claimed', { poolId = p.id, leadId = id, repId = rep })
return reply({ ok = true, mode = mode, lead = leadOut(id), otherTabs = hasOtherTabs(rep, ARGS[3]) })
