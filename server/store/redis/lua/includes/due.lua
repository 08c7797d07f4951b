--[[
  Time-based jobs in the `due` sorted set (score = due ms): an escalation "e<SEP><leadId>",
  a claim timeout "x<SEP><leadId><SEP><claimedAtMs>" (stale once the lead is claimed again),
  an SLA "s<SEP><leadId>", a rep's reclaim clock "R<SEP><repId><SEP><sinceMs>" (runDue turns it
  into one "r<SEP><repId><SEP><poolId><SEP><sinceMs>" per pool with reclaimAfterOfflineMs;
  stale once the rep's `unavail` mark is not sinceMs).
]]
--- @include "keys"
--- @include "common"

local ESCALATE, EXPIRE, SLA, RECLAIM_ALL, RECLAIM = 'e', 'x', 's', 'R', 'r'

local function scheduleEscalation(id, at) redis.call('ZADD', K.due, at, ESCALATE .. SEP .. id) end
local function scheduleExpiry(id, claimedAt, at)
  redis.call('ZADD', K.due, at, EXPIRE .. SEP .. id .. SEP .. claimedAt)
end

local function scheduleSla(id, at) redis.call('ZADD', K.due, at, SLA .. SEP .. id) end
local function scheduleReclaim(rep, poolId, since, at)
  redis.call('ZADD', K.due, at, RECLAIM .. SEP .. rep .. SEP .. poolId .. SEP .. since)
end

-- kind, then its parts: lead id, claimedAt (expiry jobs); rep id, since | rep id, pool id, since (reclaims)
local function parseJob(job)
  local parts = split(job)
  return parts[1], parts[2], parts[3], parts[4]
end
