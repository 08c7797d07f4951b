--[[
  Round-robin: the oldest open lead goes to the candidate next in rotation that is
  available and under its cap (server/domain/policy.ts nextInRotation, advanceRotation).
  Counter field rr (before v1) migrates lazily to rrScore (includes/repLimits.lua).

  Input:
    KEYS  the pool-wide keys, then the four keys of each candidate
    ARGV  candidate rep ids, in the order of their keys

  Output (JSON):
    { ok = true, mode, lead } | { none = true } | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadState"
--- @include "repLimits"

if not installed() then return fail('NOINSTALL') end
local mode = poolMode()
if mode ~= 'round-robin' then return reply({ none = true }) end
local first = redis.call('ZRANGE', K.open, 0, 0)[1]
if not first then return reply({ none = true }) end
local entries = {}
for i, rep in ipairs(ARGV) do
  local repKey, ctrKey = repKeys(i)
  if redis.call('EXISTS', repKey) == 1 then
    local r = redis.call('HMGET', repKey, 'away', 'maxActive', 'weight')
    if r[1] ~= 'true' and activeOf(rep) < capOf(tonumber(r[2])) then
      local c = redis.call('HMGET', ctrKey, 'rrScore', 'lastAssignedAt', 'rr')
      entries[#entries + 1] = { rep = rep, ctrKey = ctrKey, score = tonumber(c[1] or c[3]) or 0,
        lastAssignedAt = tonumber(c[2]) or 0, weight = tonumber(r[3]) or 1 }
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
if setting('weighted') == true then step = 1 / math.max(best.weight, 0.01) end
local now = nowMs()
redis.call('HSET', best.ctrKey, 'rrScore', string.format('%.17g', math.max(best.score, lowest) + step), 'lastAssignedAt', now)
redis.call('HDEL', best.ctrKey, 'rr')
take(first, best.rep, now)
return reply({ ok = true, mode = mode, lead = leadOut(first) })
