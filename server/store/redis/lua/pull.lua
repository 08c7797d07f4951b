--[[
  Reps pull the oldest open lead each may take: in one pool, or across its pools that allow
  pulling. One call takes the pulls that reached a server at about the same time
  (server/store/redis/store.ts batches them, as claims), one after the other in the order
  they came: each as if called alone. Checks in the order of server/domain/policy.ts
  checkPull (one pool) and pullPools (any pool); change them together.

  Input:
    KEYS  the global keys, then every pool's keys, then the four keys of each pull's rep, in pull order
    ARGS  rep id, pool id or '' for any of the rep's pools, the pulling tab's id or '': one triple per pull

  Output (JSON): one answer per pull, in order:
    [ { ok = true, mode, lead, otherTabs = whether the rep has an open tab besides its tab }
      | { code = NOT_FOUND | NOT_ELIGIBLE | MODE_FORBIDS | UNAVAILABLE | RATE_LIMITED | CAP_REACHED
          | COOLDOWN | WINDOW_CAP | POOL_EMPTY } ]
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

-- The oldest open lead of pool p that rep (its state l) may claim: id, seq (nil when none).
local function oldestIn(p, mode, rep, l)
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

-- The i-th pull (its rep's keys are the i-th block): its answer as a table.
local function pullOne(i, rep, only, tab)
  local repKey, ctrKey, rlKey = repKeys(i)
  local l = limits(rep, repKey, ctrKey, rlKey, now)
  if not l then return { code = 'NOT_FOUND' } end
  local found, fp, fmode = nil, nil, nil
  if only ~= '' then
    -- policy.ts checkPull
    local p = POOL[only]
    if not p then return { code = 'NOT_FOUND' } end
    if not l.pools[p.id] then return { code = 'NOT_ELIGIBLE' } end
    local mode = poolMode(p)
    if mode == 'round-robin' then return { code = 'MODE_FORBIDS' } end
    local f = checkLimits(l, p, now)
    if f then return { code = f } end
    found = oldestIn(p, mode, rep, l)
    fp, fmode = p, mode
    if not found then return { code = 'POOL_EMPTY' } end
  else
    -- policy.ts pullPools: candidates in registry order
    local candidates = {}
    for _, p in ipairs(POOLS) do
      if l.pools[p.id] and poolMode(p) ~= 'round-robin' then candidates[#candidates + 1] = p end
    end
    if #candidates == 0 then return { code = 'MODE_FORBIDS' } end
    if l.away or l.offShift then return { code = 'UNAVAILABLE' } end
    if rateLimited(l, strictestRate(candidates)) then return { code = 'RATE_LIMITED' } end
    local open = {}
    for _, p in ipairs(candidates) do
      if not capReached(l, p) then open[#open + 1] = p end
    end
    if #open == 0 then return { code = 'CAP_REACHED' } end
    -- the lowest seq across those pools
    local best = nil
    for _, p in ipairs(open) do
      local mode = poolMode(p)
      local id, seq = oldestIn(p, mode, rep, l)
      if id and (not best or seq < best) then found, fp, fmode, best = id, p, mode, seq end
    end
    if not found then return { code = 'POOL_EMPTY' } end
    local f = checkPacing(l, fp, now)
    if f then return { code = f } end
  end
  return takenBy(rep, found, fp, fmode, now, ctrKey, l, tab, 'lead.pulled')
end

return eachTriple(pullOne)
