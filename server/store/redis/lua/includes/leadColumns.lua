--[[
  A lead's columns (LEAD_COLUMNS: one hash per Lead field, keyed by lead id), its status
  sets and the `claimed` index (members "<repId><SEP><leadId>").
]]
--- @include "keys"

-- A lead as the scripts answer it: its id and every column set (decode.ts rawLead).
local function leadOut(id)
  local o = { id = id }
  for _, c in ipairs(LEAD_COLUMNS) do
    local v = redis.call('HGET', K[c], id)
    if v then o[c] = v end
  end
  return o
end

local function setStatus(id, from, to)
  local seq = redis.call('ZSCORE', K.leads, id)
  if from and STATUS_SET[from] then redis.call('ZREM', STATUS_SET[from], id) end
  redis.call('ZADD', STATUS_SET[to], seq, id)
  redis.call('HSET', K.status, id, to)
end

local function claimedMember(rep, id) return rep .. SEP .. id end

-- ZRANGEBYLEX bounds of a rep's members in `claimed` (keys.ts claimedRange)
local SEP_NEXT = string.char(string.byte(SEP) + 1)
local function claimedRange(rep) return '[' .. rep .. SEP, '(' .. rep .. SEP_NEXT end

local function activeOf(rep)
  local min, max = claimedRange(rep)
  return redis.call('ZLEXCOUNT', K.claimed, min, max)
end
