--[[
  Hybrid routing: whether a rep may take a lead (server/domain/view.ts mayClaim).
]]
--- @include "keys"

local function mayClaim(id, rep, mode)
  if mode ~= 'hybrid' then return true end
  local e = redis.call('HGET', K.eligible, id)
  if not e then return true end
  local list = cjson.decode(e)
  if type(list) ~= 'table' then return true end -- everyone
  for _, r in ipairs(list) do if r == rep then return true end end
  return false
end
