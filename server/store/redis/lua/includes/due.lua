--[[
  Time-based jobs in the `due` sorted set (score = due ms): an escalation "e<SEP><leadId>"
  or a claim timeout "x<SEP><leadId><SEP><claimedAtMs>" (stale once the lead is claimed again).
]]
--- @include "keys"
--- @include "common"

local ESCALATE, EXPIRE = 'e', 'x'

local function scheduleEscalation(id, at) redis.call('ZADD', K.due, at, ESCALATE .. SEP .. id) end
local function scheduleExpiry(id, claimedAt, at)
  redis.call('ZADD', K.due, at, EXPIRE .. SEP .. id .. SEP .. claimedAt)
end

-- kind (ESCALATE or EXPIRE), lead id, claimedAt (expiry jobs)
local function parseJob(job)
  local parts = split(job)
  return parts[1], parts[2], parts[3]
end
