--[[
  Read-only: some leads, in one consistent snapshot.

  Input:
    KEYS  the global keys
    ARGS  lead ids

  Output (JSON):
    { leads = [lead] } of the ids found, in ARGS order
]]
--- @include "keys"
--- @include "common"
--- @include "leadColumns"

local out = {}
for _, id in ipairs(ARGS) do
  if redis.call('HEXISTS', K.status, id) == 1 then out[#out + 1] = leadOut(id) end
end
return reply({ leads = out })
