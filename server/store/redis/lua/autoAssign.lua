--[[
  Round-robin in one pool: its oldest open lead goes to the candidate next in the pool's
  rotation that is in the pool, available and under its cap (server/domain/policy.ts
  nextInRotation, advanceRotation, capReached).

  Input:
    KEYS  the global keys, then the pool's keys, then the four keys of each candidate
    ARGS  candidate rep ids, in the order of their keys

  Output (JSON):
    { ok = true, mode, lead } | { none = true } | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadState"
--- @include "eligibility"
--- @include "repLimits"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local p = POOLS[1]
if not poolExists(p.id) then return reply({ none = true }) end
local mode = poolMode(p)
if mode ~= 'round-robin' then return reply({ none = true }) end
local first = redis.call('ZRANGE', p.open, 0, 0)[1]
if not first then return reply({ none = true }) end
local entries = {}
for i, rep in ipairs(ARGS) do
  local repKey = repKeys(i)
  if redis.call('EXISTS', repKey) == 1 and repPools(repKey)[p.id] then
    local r = redis.call('HMGET', repKey, 'away', 'maxActive', 'weight')
    local l = { id = rep, maxActive = tonumber(r[2]), heldTotal = heldTotal(rep) }
    if r[1] ~= 'true' and not capReached(l, p) then
      entries[#entries + 1] = { rep = rep, score = tonumber(redis.call('HGET', p.rrScore, rep)) or 0,
        lastAssignedAt = tonumber(redis.call('HGET', p.rrAt, rep)) or 0, weight = tonumber(r[3]) or 1 }
    end
  end
end
local best, lowest = nil, nil
for _, e in ipairs(entries) do
  if not best or e.score < best.score or (e.score == best.score and e.lastAssignedAt < best.lastAssignedAt) then best = e end
  if not lowest or e.score < lowest then lowest = e.score end
end
if not best then return reply({ none = true }) end
local step = 1
if setting(p, 'weighted') == true then step = 1 / math.max(best.weight, 0.01) end
local now = nowMs()
redis.call('HSET', p.rrScore, best.rep, string.format('%.17g', math.max(best.score, lowest) + step))
redis.call('HSET', p.rrAt, best.rep, now)
take(first, p, best.rep, now)
audit('lead.assigned', { poolId = p.id, leadId = first, repId = best.rep,
  data = { via = setting(p, 'weighted') == true and 'weighted round-robin' or 'round-robin' } })
return reply({ ok = true, mode = mode, lead = leadOut(first) })
