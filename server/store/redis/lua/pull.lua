--[[
  A rep pulls the oldest open lead it may take: in one pool (ARGS[2]), or across its pools
  that allow pulling. Checks in the order of server/domain/policy.ts checkPull (one pool)
  and pullPools (any pool); change them together.

  Input:
    KEYS  the global keys, then every pool's keys, then the rep's four keys
    ARGS[1] rep id
    ARGS[2] pool id, or '' for any of the rep's pools
    ARGS[3] the pulling tab's id, or ''

  Output (JSON):
    { ok = true, mode, lead, otherTabs = whether the rep has an open tab besides ARGS[3] }
    | { code = NOT_FOUND | NOT_ELIGIBLE | MODE_FORBIDS | UNAVAILABLE | RATE_LIMITED | CAP_REACHED
        | COOLDOWN | WINDOW_CAP | POOL_EMPTY | RETRY (pools changed) | NOINSTALL }
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
local rep, only = ARGS[1], ARGS[2]
local repKey, ctrKey, rlKey = repKeys(1)
local now = nowMs()
local l = limits(rep, repKey, ctrKey, rlKey, now)
if not l then return fail('NOT_FOUND') end

-- The oldest open lead of pool p the rep may claim: id, seq (nil when none).
local function oldestIn(p, mode)
  local offset, batch = 0, 200
  while true do
    local ids = redis.call('ZRANGE', p.open, offset, offset + batch - 1, 'WITHSCORES')
    if #ids == 0 then return nil end
    for i = 1, #ids, 2 do
      if mayClaim(ids[i], rep, l.pools, p.id, mode) then return ids[i], tonumber(ids[i + 1]) end
    end
    offset = offset + batch
  end
end

local found, fp, fmode = nil, nil, nil
if only ~= '' then
  -- policy.ts checkPull
  local p = POOL[only]
  if not p then return fail('NOT_FOUND') end
  if not l.pools[p.id] then return fail('NOT_ELIGIBLE') end
  local mode = poolMode(p)
  if mode == 'round-robin' then return fail('MODE_FORBIDS') end
  local f = checkLimits(l, p, now)
  if f then return fail(f) end
  found = oldestIn(p, mode)
  fp, fmode = p, mode
  if not found then return fail('POOL_EMPTY') end
else
  -- policy.ts pullPools: candidates in registry order
  local candidates = {}
  for _, p in ipairs(POOLS) do
    if l.pools[p.id] and poolMode(p) ~= 'round-robin' then candidates[#candidates + 1] = p end
  end
  if #candidates == 0 then return fail('MODE_FORBIDS') end
  if l.away or l.offShift then return fail('UNAVAILABLE') end
  if rateLimited(l, strictestRate(candidates)) then return fail('RATE_LIMITED') end
  local open = {}
  for _, p in ipairs(candidates) do
    if not capReached(l, p) then open[#open + 1] = p end
  end
  if #open == 0 then return fail('CAP_REACHED') end
  -- the lowest seq across those pools
  local best = nil
  for _, p in ipairs(open) do
    local mode = poolMode(p)
    local id, seq = oldestIn(p, mode)
    if id and (not best or seq < best) then found, fp, fmode, best = id, p, mode, seq end
  end
  if not found then return fail('POOL_EMPTY') end
  local f = checkPacing(l, fp, now)
  if f then return fail(f) end
end
take(found, fp, rep, now)
recordClaim(ctrKey, l.recentClaims, now)
audit('lead.pulled', { poolId = fp.id, leadId = found, repId = rep })
return reply({ ok = true, mode = fmode, lead = leadOut(found), otherTabs = hasOtherTabs(rep, ARGS[3]) })
