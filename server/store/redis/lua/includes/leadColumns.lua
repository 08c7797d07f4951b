--[[
  A lead's columns (LEAD_COLUMNS: one hash per Lead field, keyed by lead id), its status
  sets (over all pools and in its pool) and the held indexes (`claimed` over all pools and
  its pool's `held`, members "<repId><SEP><leadId>").
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

-- The pool block of a lead's pool (scripts about a lead get every pool): nil when the lead
-- does not exist or its pool is gone (only closed and disqualified leads outlive their pool).
local function poolOfLead(id)
  local pid = redis.call('HGET', K.poolId, id)
  if not pid then return nil end
  return POOL[pid]
end

-- p: the lead's pool block
local function setStatus(id, p, from, to)
  local seq = redis.call('ZSCORE', K.leads, id)
  if from and STATUS_SET[from] then
    redis.call('ZREM', STATUS_SET[from], id)
    redis.call('ZREM', poolStatusSet(p, from), id)
  end
  redis.call('ZADD', STATUS_SET[to], seq, id)
  redis.call('ZADD', poolStatusSet(p, to), seq, id)
  redis.call('HSET', K.status, id, to)
end

-- server/domain/policy.ts openedByStranding: whenNobodyEligible opened it to everyone or moved it.
local function openedByStranding(id)
  local s = redis.call('HGET', K.stranded, id)
  return s ~= false and cjson.decode(s).action ~= 'wait'
end

local function claimedMember(rep, id) return rep .. SEP .. id end

-- ZRANGEBYLEX bounds of a rep's members in `claimed` and `held` (keys.ts claimedRange)
local SEP_NEXT = string.char(string.byte(SEP) + 1)
local function claimedRange(rep) return '[' .. rep .. SEP, '(' .. rep .. SEP_NEXT end

-- The leads a rep holds in all pools together.
local function heldTotal(rep)
  local min, max = claimedRange(rep)
  return redis.call('ZLEXCOUNT', K.claimed, min, max)
end

-- The leads a rep holds in pool p.
local function heldIn(p, rep)
  local min, max = claimedRange(rep)
  return redis.call('ZLEXCOUNT', p.held, min, max)
end

-- Adds / removes a claim in both held indexes.
local function addHeld(p, rep, id)
  redis.call('ZADD', K.claimed, 0, claimedMember(rep, id))
  redis.call('ZADD', p.held, 0, claimedMember(rep, id))
end
local function removeHeld(p, rep, id)
  redis.call('ZREM', K.claimed, claimedMember(rep, id))
  redis.call('ZREM', p.held, claimedMember(rep, id))
end
