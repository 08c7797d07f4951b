--[[
  Pops the due jobs (each fires once cluster-wide) and applies them: an escalation opens
  a hybrid lead still open to everyone; a claim timeout reopens a lead still claimed by
  the same claim and without an outcome. A setting turned off since a job was scheduled
  cancels it.

  Input:
    KEYS  the pool-wide keys
    ARGV[1] at most this many jobs

  Output (JSON):
    { mode, popped = jobs popped, events = [
        { kind = 'escalated', lead, previousEligible = JSON }
      | { kind = 'expired', previousOwner = rep id, lead } ] }
    | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadState"
--- @include "due"

if not installed() then return fail('NOINSTALL') end
local now = nowMs()
local mode = poolMode()
local jobs = redis.call('ZRANGEBYSCORE', K.due, '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local events = {}
local escalating = num('escalateAfterMs') > 0
local expiring = num('claimTimeoutMs') > 0
for _, job in ipairs(jobs) do
  redis.call('ZREM', K.due, job)
  local kind, id, claimedAt = parseJob(job)
  local st = redis.call('HGET', K.status, id)
  if st then
    local before = redis.call('HGET', K.eligible, id)
    if kind == ESCALATE and escalating and st == 'open' and before and before ~= EVERYONE_JSON then
      redis.call('HSET', K.eligible, id, EVERYONE_JSON)
      redis.call('HSET', K.escalatedAt, id, now)
      events[#events + 1] = { kind = 'escalated', lead = leadOut(id), previousEligible = before }
    elseif kind == EXPIRE and expiring and st == 'claimed' and redis.call('HGET', K.claimedAt, id) == claimedAt
        and redis.call('HEXISTS', K.outcome, id) == 0 then
      local prev = redis.call('HGET', K.claimedBy, id)
      reopen(id)
      events[#events + 1] = { kind = 'expired', previousOwner = prev, lead = leadOut(id) }
    end
  end
end
return reply({ mode = mode, events = events, popped = #jobs })
