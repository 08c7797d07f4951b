--[[
  Fills the time index (`bytime`, score = createdAt ms) for leads stored before it existed;
  insertLead.lua keeps it from then on. Run at every connection (after the migrations): a
  no-op once it holds as many leads as `leads`, so the O(leads) pass happens once per store.

  Input:
    KEYS  the global keys

  Output (JSON):
    { indexed = number of leads added to the index }
]]
--- @include "keys"
--- @include "common"

if redis.call('ZCARD', K.bytime) == redis.call('ZCARD', K.leads) then return reply({ indexed = 0 }) end
local n = 0
for _, id in ipairs(redis.call('ZRANGE', K.leads, 0, -1)) do
  if not redis.call('ZSCORE', K.bytime, id) then
    local at = redis.call('HGET', K.createdAt, id)
    if at then
      redis.call('ZADD', K.bytime, at, id)
      n = n + 1
    end
  end
end
return reply({ indexed = n })
