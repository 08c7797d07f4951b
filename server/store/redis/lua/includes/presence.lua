--[[
  A rep's presence: offline without an open tab (or when gone), else off-shift (its schedule,
  the offShift field), away or available.
]]
--- @include "keys"

local function presenceOf(rep, repKey)
  if redis.call('EXISTS', repKey) == 0 then return 'offline' end
  local n = tonumber(redis.call('HGET', K.tabn, rep) or '0')
  if n <= 0 then return 'offline' end
  local r = redis.call('HMGET', repKey, 'offShift', 'away')
  if r[1] == 'true' then return 'off-shift' end
  if r[2] == 'true' then return 'away' end
  return 'available'
end
