--[[
  A rep claims an open lead: the race of the shark-tank, cherry-pick and hybrid modes.
  Checks in the order of server/domain/policy.ts checkClaim; change them together.

  Input:
    KEYS  the pool-wide keys, then the rep's four keys
    ARGV[1] lead id
    ARGV[2] rep id

  Output (JSON):
    { ok = true, mode, lead }
    | { code = NOT_FOUND | MODE_FORBIDS | ALREADY_CLAIMED | NOT_OPEN | NOT_ELIGIBLE | UNAVAILABLE
        | RATE_LIMITED | CAP_REACHED | COOLDOWN | WINDOW_CAP | NOINSTALL }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadState"
--- @include "eligibility"
--- @include "repLimits"

if not installed() then return fail('NOINSTALL') end
local id, rep = ARGV[1], ARGV[2]
local repKey, ctrKey, rlKey = repKeys(1)
local now = nowMs()
local mode = poolMode()
local l = limits(rep, repKey, ctrKey, rlKey, now)
if not l then return fail('NOT_FOUND') end
if mode == 'blind-pull' or mode == 'round-robin' then return fail('MODE_FORBIDS') end
local st = redis.call('HGET', K.status, id)
if not st then return fail('NOT_FOUND') end
if st == 'claimed' then return fail('ALREADY_CLAIMED') end
if st ~= 'open' then return fail('NOT_OPEN') end
if not mayClaim(id, rep, mode) then return fail('NOT_ELIGIBLE') end
local f = checkLimits(l, now)
if f then return fail(f) end
take(id, rep, now)
recordClaim(ctrKey, l.recentClaims, now)
return reply({ ok = true, mode = mode, lead = leadOut(id) })
