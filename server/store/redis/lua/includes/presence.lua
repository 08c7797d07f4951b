--[[
  A rep's presence: offline without an open tab (or when gone), else away or available.
]]
--- @include "keys"

local function presenceOf(rep, repKey)
  if redis.call('EXISTS', repKey) == 0 then return 'offline' end
  local n = tonumber(redis.call('HGET', K.tabn, rep) or '0')
  if n <= 0 then return 'offline' end
  if redis.call('HGET', repKey, 'away') == 'true' then return 'away' end
  return 'available'
end
