--[[
  The webhook outbox: deliveries as JSON in `dlv` (with their log `seq`), pending ones in
  `dlvdue` by the ms of their next attempt, every one in `dlvlog` under its webhook, in
  log order (server/store/embedded.ts keeps the same rules).
]]
--- @include "keys"
--- @include "common"

local function logMember(d) return d.webhookId .. SEP .. string.format('%015d', d.seq) .. SEP .. d.id end
-- ZRANGEBYLEX bounds of one webhook's log
local function logRange(webhookId) return '[' .. webhookId .. SEP, '(' .. webhookId .. string.char(string.byte(SEP) + 1) end

local function saveDelivery(d) redis.call('HSET', K.dlv, d.id, cjson.encode(d)) end

-- A new place at the newest end of its webhook's log.
local function relog(d)
  if d.seq then redis.call('ZREM', K.dlvlog, logMember(d)) end
  d.seq = redis.call('INCR', K.dlvseq)
  redis.call('ZADD', K.dlvlog, 0, logMember(d))
end

local function dropDelivery(d)
  redis.call('HDEL', K.dlv, d.id)
  redis.call('ZREM', K.dlvdue, d.id)
  redis.call('ZREM', K.dlvlog, logMember(d))
end

-- An attempt's result (AttemptResult: ok, status?, error?, retryInMs or null) on a pending delivery.
local function finishAttempt(d, now, r)
  d.lastAttemptAt = now
  d.lastStatus = r.status
  d.lastError = r.error
  d.lease = nil
  if r.ok then
    d.status = 'delivered'
  elseif r.retryInMs == nil or r.retryInMs == cjson.null then
    d.status = 'failed'
  else
    d.dueAt = now + r.retryInMs
  end
  if d.status == 'pending' then
    redis.call('ZADD', K.dlvdue, d.dueAt, d.id)
  else
    d.dueAt = nil
    redis.call('ZREM', K.dlvdue, d.id)
  end
  saveDelivery(d)
end

-- Keeps the newest DELIVERIES_KEPT of a webhook: the oldest finished ones beyond go (pending ones stay).
local function trimLog(webhookId)
  local from, to = logRange(webhookId)
  local drop = redis.call('ZLEXCOUNT', K.dlvlog, from, to) - DELIVERIES_KEPT
  if drop <= 0 then return end
  local members = redis.call('ZRANGEBYLEX', K.dlvlog, from, to, 'LIMIT', 0, drop + 1000)
  for _, m in ipairs(members) do
    if drop <= 0 then return end
    local id = split(m)[3]
    local json = redis.call('HGET', K.dlv, id)
    if not json then
      redis.call('ZREM', K.dlvlog, m)
      drop = drop - 1
    else
      local d = cjson.decode(json)
      if d.status ~= 'pending' then
        dropDelivery(d)
        drop = drop - 1
      end
    end
  end
end
