--[[
  whenNobodyEligible (server/store/embedded.ts strand): each listed lead still open in the
  pool, not handled yet (no `stranded`), that no available member of the pool may take
  (server/domain/policy.ts isStranded) gets the pool's policy: everyone (open to every rep
  of the pool), wait (marked only), or { pool } (moved there, open to everyone; a fallback
  pool gone or the pool itself: everyone). Once per lead.

  Input:
    KEYS  the global keys, then every pool's keys, then the four keys of each rep in ARGS[3..]
    ARGS[1] pool id
    ARGS[2] lead ids JSON
    ARGS[3..] the candidate reps (every member of the pool), in the order of their keys

  Output (JSON):
    { events = [{ action, mode, fromPoolId, fromMode, previousEligible = JSON, lead }] }
    | { code = 'RETRY' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadColumns"
--- @include "eligibility"
--- @include "presence"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
if not allPoolsPassed() then return fail('RETRY') end
local pid = ARGS[1]
local p = POOL[pid]
local events = {}
if not p then return reply({ events = events }) end
local mode = poolMode(p)
-- the available members of the pool
local avail, anyAvail = {}, false
for i = 3, #ARGS do
  local repKey = repKeys(i - 2)
  if repPools(repKey)[pid] and isAvailable(presenceOf(ARGS[i], repKey)) then
    avail[ARGS[i]] = true
    anyAvail = true
  end
end
local policy = setting(p, 'whenNobodyEligible')
local target = nil
if type(policy) == 'table' and policy.pool ~= pid then target = POOL[policy.pool] end
local action = 'everyone'
if policy == 'wait' then action = 'wait' elseif target then action = 'moved' end
local now = nowMs()

local function stranded(id)
  if redis.call('HGET', K.poolId, id) ~= pid or redis.call('HGET', K.status, id) ~= 'open'
      or redis.call('HEXISTS', K.stranded, id) == 1 then
    return false
  end
  local e = redis.call('HGET', K.eligible, id)
  local list = e and cjson.decode(e)
  -- open to the whole pool: only a fallback pool acts (policy.ts isStranded)
  if mode ~= 'hybrid' or type(list) ~= 'table' then return type(policy) == 'table' and not anyAvail end
  for _, r in ipairs(list) do if avail[r] then return false end end
  return true
end

for _, id in ipairs(cjson.decode(ARGS[2])) do
  if stranded(id) then
    local previous = redis.call('HGET', K.eligible, id) or EVERYONE_JSON
    if action ~= 'wait' then redis.call('HSET', K.eligible, id, EVERYONE_JSON) end
    local to = p
    if target then
      local seq = redis.call('ZSCORE', K.leads, id)
      redis.call('ZREM', p.leads, id)
      redis.call('ZREM', p.open, id)
      redis.call('ZADD', target.leads, seq, id)
      redis.call('ZADD', target.open, seq, id)
      redis.call('HSET', K.poolId, id, target.id)
      to = target
    end
    redis.call('HSET', K.stranded, id, cjson.encode({ at = now, action = action, poolId = pid }))
    if action ~= 'wait' then
      audit('lead.escalated', { poolId = to.id, leadId = id, data = { reason = 'nobody-eligible', action = action, fromPoolId = pid } })
    end
    events[#events + 1] = {
      action = action, mode = poolMode(to), fromPoolId = pid, fromMode = mode, previousEligible = previous, lead = leadOut(id),
    }
  end
end
return reply({ events = events })
