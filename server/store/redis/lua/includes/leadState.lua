--[[
  A lead changing hands: taken by a rep, or back to its pool (server/store/embedded.ts
  takeLead and reopen). p is the lead's pool block.
]]
--- @include "leadColumns"
--- @include "settings"
--- @include "due"

-- claimed by rep now, claim timeout (of the lead's pool) scheduled
local function take(id, p, rep, now)
  local st = redis.call('HGET', K.status, id)
  local prev = redis.call('HGET', K.claimedBy, id)
  if st == 'claimed' and prev then removeHeld(p, prev, id) end
  setStatus(id, p, st, 'claimed')
  redis.call('HSET', K.claimedBy, id, rep)
  redis.call('HSET', K.claimedAt, id, now)
  redis.call('HSET', K.claimMode, id, redis.call('HGET', p.config, 'mode') or DEFAULT_MODE)
  redis.call('HDEL', K.outcome, id)
  redis.call('HDEL', K.outcomeNote, id)
  addHeld(p, rep, id)
  local timeout = num(p, 'claimTimeoutMs')
  if timeout > 0 then scheduleExpiry(id, now, now + timeout) end
end

-- back to its pool in its original acceptance order
local function reopen(id, p)
  local st = redis.call('HGET', K.status, id)
  local prev = redis.call('HGET', K.claimedBy, id)
  if st == 'claimed' and prev then removeHeld(p, prev, id) end
  setStatus(id, p, st, 'open')
  redis.call('HDEL', K.claimedBy, id)
  redis.call('HDEL', K.claimedAt, id)
  redis.call('HDEL', K.claimMode, id)
  redis.call('HDEL', K.outcome, id)
  redis.call('HDEL', K.outcomeNote, id)
  -- Waiting again: its SLA counts from its arrival (at once when already past).
  local sla = num(p, 'slaMs')
  if sla > 0 and redis.call('HEXISTS', K.overdueAt, id) == 0 then
    scheduleSla(id, tonumber(redis.call('HGET', K.createdAt, id)) + sla)
  end
end
