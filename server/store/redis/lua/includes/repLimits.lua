--[[
  A rep's own limits on claims and pulls, in the order of server/domain/policy.ts
  checkRepLimits: away, actions per second, cap, cooldown, claim window.

  The counters hash holds lastClaimAt (ms, 0 = never), recentClaims (comma-separated ms
  inside the claim window), rrScore and lastAssignedAt (round-robin). Before v1 these were
  lastWinAt, wins and rr: they are migrated lazily (read when the new field is absent; the
  next write stores the new name and deletes the old one), so cooldowns, windows and the
  rotation carry over an upgrade. The action bucket (second, count; formerly s, c) expires
  within 2 s and is not migrated.
]]
--- @include "leadColumns"
--- @include "settings"

local function parseClaims(s)
  local out = {}
  if s then for t in string.gmatch(s, '[^,]+') do out[#out + 1] = tonumber(t) end end
  return out
end

-- server/store/embedded.ts limitsOf(repId, now, true): nil when the rep is gone; else
-- counts this action in the rep's one-second bucket
local function limits(rep, repKey, ctrKey, rlKey, now)
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
  local r = redis.call('HMGET', repKey, 'away', 'maxActive')
  local c = redis.call('HMGET', ctrKey, 'lastClaimAt', 'recentClaims', 'lastWinAt', 'wins')
  return {
    away = r[1] == 'true',
    maxActive = tonumber(r[2]),
    active = activeOf(rep),
    lastClaimAt = tonumber(c[1] or c[3]) or 0,
    recentClaims = parseClaims(c[2] or c[4]),
    actions = count,
  }
end

-- server/domain/policy.ts capOf
local function capOf(maxActive) return maxActive or num('maxActivePerRep') end

-- server/domain/policy.ts checkRepLimits, same order
local function checkLimits(l, now)
  if l.away then return 'UNAVAILABLE' end
  local aps = num('maxActionsPerSecond')
  if aps > 0 and l.actions > aps then return 'RATE_LIMITED' end
  if l.active >= capOf(l.maxActive) then return 'CAP_REACHED' end
  local cd = num('claimCooldownMs')
  if cd > 0 and l.lastClaimAt > 0 and now - l.lastClaimAt < cd then return 'COOLDOWN' end
  local maxClaims, windowMs = num('maxClaimsPerWindow'), num('claimWindowMs')
  if maxClaims ~= 0 and windowMs ~= 0 then
    local since, n = now - windowMs, 0
    for _, t in ipairs(l.recentClaims) do if t > since then n = n + 1 end end
    if n >= maxClaims then return 'WINDOW_CAP' end
  end
  return nil
end

-- server/domain/policy.ts window bookkeeping after a claim or pull (+ lastClaimAt)
local function recordClaim(ctrKey, recentClaims, now)
  local w = num('claimWindowMs')
  local kept = {}
  if w > 0 then
    for _, t in ipairs(recentClaims) do if t > now - w then kept[#kept + 1] = t end end
    kept[#kept + 1] = now
  end
  redis.call('HSET', ctrKey, 'lastClaimAt', now, 'recentClaims', table.concat(kept, ','))
  redis.call('HDEL', ctrKey, 'lastWinAt', 'wins')
end
