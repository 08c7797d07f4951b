--[[
  Pops the due jobs (each fires once cluster-wide) and applies them with the settings of
  each lead's pool: an escalation opens a hybrid lead still open to everyone; a claim
  timeout reopens a lead still claimed by the same claim and without an outcome. A setting
  turned off since a job was scheduled cancels it, and so does a lead's pool being gone.

  Input:
    KEYS  the global keys, then every pool's keys
    ARGS[1] at most this many jobs

  Output (JSON):
    { popped = jobs popped, events = [
        { kind = 'escalated', mode, lead, previousEligible = JSON }
      | { kind = 'expired', mode, previousOwner = rep id, lead } ] }
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
for _, job in ipairs(jobs) do
  redis.call('ZREM', K.due, job)
  local kind, id, claimedAt = parseJob(job)
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
    end
  end
end
return reply({ events = events, popped = #jobs })
