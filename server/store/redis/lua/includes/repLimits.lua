--[[
  A rep's own limits on claims and pulls (server/domain/policy.ts): away, actions per second,
  cap, cooldown, claim window. The rep's counters span all pools; the thresholds come from
  the settings of the pool of the lead being taken (p).

  The counters hash holds lastClaimAt (ms, 0 = never) and recentClaims (comma-separated ms
  kept for the longest claim window of any pool). Before v1 these were lastWinAt and wins:
  they are migrated lazily (read when the new field is absent; the next write stores the
  new name and deletes the old one), so cooldowns and windows carry over an upgrade. The
  action bucket (second, count; formerly s, c) expires within 2 s and is not migrated.
  Round-robin turns live in each pool (rrScore, rrAt), not here.
]]
--- @include "leadColumns"
--- @include "settings"
--- @include "eligibility"

local function parseClaims(s)
  local out = {}
  if s then for t in string.gmatch(s, '[^,]+') do out[#out + 1] = tonumber(t) end end
  return out
end

-- The first half of limits: nil when the rep is gone; else counts this action in the rep's
-- one-second bucket and answers the count. claim.lua reads the rest (repState) only once
-- the lead's own checks passed: a lost race reads no more than it must.
local function countAction(repKey, rlKey, now)
  if redis.call('EXISTS', repKey) == 0 then return nil end
  local second = math.floor(now / 1000)
  local b = redis.call('HMGET', rlKey, 'second', 'count')
  local count
  if tonumber(b[1]) == second then
    count = redis.call('HINCRBY', rlKey, 'count', 1)
  else
    redis.call('HSET', rlKey, 'second', second, 'count', 1)
    count = 1
  end
  redis.call('PEXPIRE', rlKey, 2000)
  return count
end

-- The second half: the rep's state for the checks, `count` its actions in this second.
local function repState(rep, repKey, ctrKey, count)
  local r = redis.call('HMGET', repKey, 'away', 'maxActive', 'offShift')
  local c = redis.call('HMGET', ctrKey, 'lastClaimAt', 'recentClaims', 'lastWinAt', 'wins')
  return {
    id = rep,
    pools = repPools(repKey),
    away = r[1] == 'true',
    offShift = r[3] == 'true',
    maxActive = tonumber(r[2]),
    heldTotal = heldTotal(rep),
    lastClaimAt = tonumber(c[1] or c[3]) or 0,
    recentClaims = parseClaims(c[2] or c[4]),
    actions = count,
  }
end

-- server/store/embedded.ts limitsOf (policy.ts RepState without heldInPool): nil when the
-- rep is gone; else counts this action in the rep's one-second bucket
local function limits(rep, repKey, ctrKey, rlKey, now)
  local count = countAction(repKey, rlKey, now)
  if not count then return nil end
  return repState(rep, repKey, ctrKey, count)
end

-- server/domain/policy.ts capReached: with the rep's maxActive, its held leads in all pools;
-- without, its held leads in pool p against p's maxActivePerRep.
local function capReached(l, p)
  if l.maxActive then return l.heldTotal >= l.maxActive end
  return heldIn(p, l.id) >= num(p, 'maxActivePerRep')
end

-- server/domain/policy.ts rateLimited
local function rateLimited(l, maxActionsPerSecond) return maxActionsPerSecond > 0 and l.actions > maxActionsPerSecond end

-- server/domain/policy.ts checkPacing, with pool p's settings
local function checkPacing(l, p, now)
  local cd = num(p, 'claimCooldownMs')
  if cd > 0 and l.lastClaimAt > 0 and now - l.lastClaimAt < cd then return 'COOLDOWN' end
  local maxClaims, windowMs = num(p, 'maxClaimsPerWindow'), num(p, 'claimWindowMs')
  if maxClaims ~= 0 and windowMs ~= 0 then
    local since, n = now - windowMs, 0
    for _, t in ipairs(l.recentClaims) do if t > since then n = n + 1 end end
    if n >= maxClaims then return 'WINDOW_CAP' end
  end
  return nil
end

-- server/domain/policy.ts checkRepLimits, same order, with pool p's settings
local function checkLimits(l, p, now)
  if l.away or l.offShift then return 'UNAVAILABLE' end
  if rateLimited(l, num(p, 'maxActionsPerSecond')) then return 'RATE_LIMITED' end
  if capReached(l, p) then return 'CAP_REACHED' end
  return checkPacing(l, p, now)
end

-- server/domain/policy.ts strictestRate: the lowest maxActionsPerSecond that is on, or 0
local function strictestRate(pools)
  local lowest = 0
  for _, p in ipairs(pools) do
    local n = num(p, 'maxActionsPerSecond')
    if n > 0 and (lowest == 0 or n < lowest) then lowest = n end
  end
  return lowest
end

-- server/domain/policy.ts claimWindowToKeep over every pool (the script got them all)
local function claimWindowToKeep()
  local longest = 0
  for _, p in ipairs(POOLS) do longest = math.max(longest, num(p, 'claimWindowMs')) end
  return longest
end

-- server/domain/policy.ts recordClaim (+ lastClaimAt), keeping claims for claimWindowToKeep
local function recordClaim(ctrKey, recentClaims, now)
  local keep = claimWindowToKeep()
  local kept = {}
  if keep > 0 then
    for _, t in ipairs(recentClaims) do if t > now - keep then kept[#kept + 1] = t end end
    kept[#kept + 1] = now
  end
  redis.call('HSET', ctrKey, 'lastClaimAt', now, 'recentClaims', table.concat(kept, ','))
  redis.call('HDEL', ctrKey, 'lastWinAt', 'wins')
end
