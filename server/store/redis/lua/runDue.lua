--[[
  Pops the due jobs (each fires once cluster-wide) and applies them with the settings of
  each lead's pool: an escalation opens a hybrid lead still open to everyone; a claim
  timeout reopens a lead still claimed by the same claim and without an outcome; an SLA
  marks a lead still waiting overdue; a reclaim reopens the claimed leads without an outcome
  of a rep still unavailable since the job's time. A setting turned off since a job was
  scheduled cancels it, and so does a lead's pool being gone; a setting raised since
  reschedules SLA and reclaim jobs.

  Input:
    KEYS  the global keys, then every pool's keys
    ARGS[1] at most this many jobs

  Output (JSON):
    { popped = jobs popped, events = [
        { kind = 'escalated', mode, lead, previousEligible = JSON }
      | { kind = 'expired' | 'reclaimed', mode, previousOwner = rep id, lead }
      | { kind = 'overdue', mode, lead } ] }
    | { code = 'RETRY' (pools changed) | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadState"
--- @include "due"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
if not allPoolsPassed() then return fail('RETRY') end
local now = nowMs()
local jobs = redis.call('ZRANGEBYSCORE', K.due, '-inf', now, 'LIMIT', 0, tonumber(ARGS[1]))
local events = {}

-- A rep unavailable since `since`: its leads of pool p without an outcome go back.
local function reclaim(job, rep, p, since)
  local delay = p and num(p, 'reclaimAfterOfflineMs') or 0
  if delay <= 0 or redis.call('HGET', K.unavail, rep) ~= since then return end
  local due = tonumber(since) + delay
  if due > now then
    redis.call('ZADD', K.due, due, job)
    return
  end
  local min, max = claimedRange(rep)
  for _, m in ipairs(redis.call('ZRANGEBYLEX', p.held, min, max)) do
    local id = string.sub(m, #rep + #SEP + 1)
    if redis.call('HGET', K.status, id) == 'claimed' and redis.call('HEXISTS', K.outcome, id) == 0 then
      reopen(id, p)
      events[#events + 1] = { kind = 'reclaimed', mode = poolMode(p), previousOwner = rep, lead = leadOut(id) }
      audit('lead.revoked', { poolId = p.id, leadId = id, repId = rep, data = { reason = 'offline' } })
    end
  end
end

for _, job in ipairs(jobs) do
  redis.call('ZREM', K.due, job)
  local kind, id, claimedAt, extra = parseJob(job)
  if kind == RECLAIM_ALL then
    -- id: the rep, claimedAt: since
    for _, p in ipairs(POOLS) do
      local delay = num(p, 'reclaimAfterOfflineMs')
      if delay > 0 then scheduleReclaim(id, p.id, claimedAt, tonumber(claimedAt) + delay) end
    end
  elseif kind == RECLAIM then
    -- id: the rep, claimedAt: the pool, extra: since
    reclaim(job, id, POOL[claimedAt], extra)
  else
    local st = redis.call('HGET', K.status, id)
    local p = st and poolOfLead(id)
    if p then
      local before = redis.call('HGET', K.eligible, id)
      if kind == ESCALATE and num(p, 'escalateAfterMs') > 0 and st == 'open' and before and before ~= EVERYONE_JSON then
        redis.call('HSET', K.eligible, id, EVERYONE_JSON)
        redis.call('HSET', K.escalatedAt, id, now)
        events[#events + 1] = { kind = 'escalated', mode = poolMode(p), lead = leadOut(id), previousEligible = before }
        audit('lead.escalated', { poolId = p.id, leadId = id, data = { previousEligible = cjson.decode(before) } })
      elseif kind == EXPIRE and num(p, 'claimTimeoutMs') > 0 and st == 'claimed' and redis.call('HGET', K.claimedAt, id) == claimedAt
          and redis.call('HEXISTS', K.outcome, id) == 0 then
        local prev = redis.call('HGET', K.claimedBy, id)
        reopen(id, p)
        events[#events + 1] = { kind = 'expired', mode = poolMode(p), previousOwner = prev, lead = leadOut(id) }
        audit('lead.expired', { poolId = p.id, leadId = id, repId = prev, data = { reason = 'claim-timeout' } })
      elseif kind == SLA and num(p, 'slaMs') > 0 and st == 'open' and redis.call('HEXISTS', K.overdueAt, id) == 0 then
        local due = tonumber(redis.call('HGET', K.createdAt, id)) + num(p, 'slaMs')
        if due > now then
          scheduleSla(id, due)
        else
          redis.call('HSET', K.overdueAt, id, now)
          events[#events + 1] = { kind = 'overdue', mode = poolMode(p), lead = leadOut(id) }
        end
      end
    end
  end
end
return reply({ events = events, popped = #jobs })
