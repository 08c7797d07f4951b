--[[
  A lead changing hands: taken by a rep, or back to the pool (server/store/embedded.ts
  takeLead and reopen).
]]
--- @include "leadColumns"
--- @include "settings"
--- @include "due"

-- claimed by rep now, claim timeout scheduled
local function take(id, rep, now)
  local st = redis.call('HGET', K.status, id)
  local prev = redis.call('HGET', K.claimedBy, id)
  if st == 'claimed' and prev then redis.call('ZREM', K.claimed, claimedMember(prev, id)) end
  setStatus(id, st, 'claimed')
  redis.call('HSET', K.claimedBy, id, rep)
  redis.call('HSET', K.claimedAt, id, now)
  redis.call('HDEL', K.outcome, id)
  redis.call('HDEL', K.outcomeNote, id)
  redis.call('ZADD', K.claimed, 0, claimedMember(rep, id))
  local timeout = num('claimTimeoutMs')
  if timeout > 0 then scheduleExpiry(id, now, now + timeout) end
end

-- back to the pool in its original acceptance order
local function reopen(id)
  local st = redis.call('HGET', K.status, id)
  local prev = redis.call('HGET', K.claimedBy, id)
  if st == 'claimed' and prev then redis.call('ZREM', K.claimed, claimedMember(prev, id)) end
  setStatus(id, st, 'open')
  redis.call('HDEL', K.claimedBy, id)
  redis.call('HDEL', K.claimedAt, id)
  redis.call('HDEL', K.outcome, id)
  redis.call('HDEL', K.outcomeNote, id)
end
