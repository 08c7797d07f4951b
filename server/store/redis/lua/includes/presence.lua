--[[
  A rep's presence: offline without an open tab (or when gone), else off-shift (its schedule,
  the offShift field), away or available. Only `available` takes leads (server/domain/policy.ts
  isAvailable).
]]
--- @include "keys"
--- @include "common"
--- @include "due"

-- What a rep's presence is made of, read in one step: whether its hash exists (every rep
-- hash has `id`: decode.ts repOf), its open tabs, offShift and away. A script that changes
-- one of them updates the facts too, and computes the presence after its change from them
-- (presenceFrom) instead of reading it again. fields: the rep's hash when the caller has just
-- read it whole (hashOf), else nil.
local function presenceFacts(rep, repKey, fields)
  local r = fields and { fields.id, fields.offShift, fields.away, fields.pools }
    or redis.call('HMGET', repKey, 'id', 'offShift', 'away', 'pools')
  if not r[1] then return { exists = false, tabs = 0 } end
  local tabs = tonumber(redis.call('HGET', K.tabn, rep) or '0')
  return { exists = true, tabs = tabs, offShift = r[2] == 'true', away = r[3] == 'true', pools = r[4] }
end

local function presenceFrom(facts)
  if not facts.exists or facts.tabs <= 0 then return 'offline' end
  if facts.offShift then return 'off-shift' end
  if facts.away then return 'away' end
  return 'available'
end

local function presenceOf(rep, repKey) return presenceFrom(presenceFacts(rep, repKey)) end

local function isAvailable(presence) return presence == 'available' end

-- A presence change as the scripts answer it (decode.ts presenceChangeOf). When an available
-- rep stops being available it carries the rep's pools, from the facts: what the service
-- looks at next (server/service/presence.ts changed) without reading the rep again.
local function changeOf(facts, before, after)
  local change = { before = before, after = after }
  if isAvailable(before) and not isAvailable(after) then change.pools = cjson.decode(facts.pools or DEFAULT_POOL_JSON) end
  return change
end

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

-- setAway.lua and setOffShift.lua: sets one of the rep's presence flags ('away' or 'offShift',
-- the hash field and the fact of that name) to value ('true' | 'false'), answering the change.
local function setPresenceFlag(rep, repKey, flag, value)
  local facts = presenceFacts(rep, repKey)
  local before = presenceFrom(facts)
  if facts.exists then
    redis.call('HSET', repKey, flag, value)
    facts[flag] = value == 'true'
  end
  local after = presenceFrom(facts)
  presenceMoved(rep, before, after) -- off shift starts the reclaim clock like away
  return changeOf(facts, before, after)
end
