--[[
  Reps claim open leads: the race of the shark-tank, cherry-pick and hybrid modes. One call
  decides the claims that reached a server at about the same time (server/store/redis/store.ts
  batches them as a group commit), one after the other in the order they came: each as if
  called alone. Checks in the order of server/domain/policy.ts checkClaim; change them
  together. The lead's pool decides mode, settings and the per-rep cap.

  Input:
    KEYS  the global keys, then every pool's keys, then the four keys of each claim's rep, in claim order
    ARGS  lead id, rep id, the claiming tab's id or '': one triple per claim

  Output (JSON): one answer per claim, in order:
    [ { ok = true, mode, lead, otherTabs = whether the rep has an open tab besides its tab }
      | { code = NOT_FOUND | MODE_FORBIDS | ALREADY_CLAIMED | NOT_OPEN | NOT_ELIGIBLE | UNAVAILABLE
          | RATE_LIMITED | CAP_REACHED | COOLDOWN | WINDOW_CAP } ]
    or, for the whole call and with nothing done, { code = RETRY (pools changed) | NOINSTALL }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadState"
--- @include "eligibility"
--- @include "repLimits"
--- @include "taking"

if not installed() then return fail('NOINSTALL') end
if not allPoolsPassed() then return fail('RETRY') end
local now = nowMs()

-- The i-th claim (its rep's keys are the i-th block): its answer as a table.
local function claimOne(i, id, rep, tab)
  local repKey, ctrKey, rlKey = repKeys(i)
  -- limits() in two halves: the rep's state is read only past the lead's own checks
  local actions = countAction(repKey, rlKey, now)
  if not actions then return { code = 'NOT_FOUND' } end
  local st = redis.call('HGET', K.status, id)
  if not st then return { code = 'NOT_FOUND' } end
  -- nil when the lead's pool is gone (only closed and disqualified leads outlive their pool)
  local p = poolOfLead(id)
  local mode = p and poolMode(p)
  if mode == 'blind-pull' or mode == 'round-robin' then return { code = 'MODE_FORBIDS' } end
  if st == 'claimed' then return { code = 'ALREADY_CLAIMED' } end
  if st ~= 'open' then return { code = 'NOT_OPEN' } end
  local l = repState(rep, repKey, ctrKey, actions)
  if not p or not mayClaim(id, rep, l.pools, p.id, mode) then return { code = 'NOT_ELIGIBLE' } end
  local f = checkLimits(l, p, now)
  if f then return { code = f } end
  return takenBy(rep, id, p, mode, now, ctrKey, l, tab, 'lead.claimed')
end

return eachTriple(claimOne)
