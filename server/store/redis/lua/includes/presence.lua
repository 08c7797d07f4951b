--[[
  A rep's presence: offline without an open tab (or when gone), else off-shift (its schedule,
  the offShift field), away or available. Only `available` takes leads (server/domain/policy.ts
  isAvailable).
]]
--- @include "keys"
--- @include "common"
--- @include "due"

local function presenceOf(rep, repKey)
  if redis.call('EXISTS', repKey) == 0 then return 'offline' end
  local n = tonumber(redis.call('HGET', K.tabn, rep) or '0')
  if n <= 0 then return 'offline' end
  local r = redis.call('HMGET', repKey, 'offShift', 'away')
  if r[1] == 'true' then return 'off-shift' end
  if r[2] == 'true' then return 'away' end
  return 'available'
end

local function isAvailable(presence) return presence == 'available' end

-- Whether the rep has an open tab besides `tab` ('': any open tab): the tabs that hear of a lead it took.
local function hasOtherTabs(rep, tab)
  local n = tonumber(redis.call('HGET', K.tabn, rep) or '0')
  if tab ~= '' and redis.call('HEXISTS', K.tabs, rep .. SEP .. tab) == 1 then n = n - 1 end
  return n > 0
end

-- A presence change: becoming unavailable starts the rep's reclaim clock (its `unavail`
-- mark and a job runDue spreads over the pools); becoming available stops it.
local function presenceMoved(rep, before, after)
  if isAvailable(after) then
    redis.call('HDEL', K.unavail, rep)
    return
  end
  if not isAvailable(before) or redis.call('HEXISTS', K.unavail, rep) == 1 then return end
  local now = tostring(nowMs())
  redis.call('HSET', K.unavail, rep, now)
  redis.call('ZADD', K.due, now, RECLAIM_ALL .. SEP .. rep .. SEP .. now)
end
