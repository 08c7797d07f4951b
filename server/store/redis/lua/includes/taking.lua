--[[
  What claim.lua and pull.lua share: one call takes the claims (pulls) that reached a server
  together (server/store/redis/store.ts batches them), each answered as if called alone, and
  a lead taken by one of them the same way.
]]
--- @include "common"
--- @include "leadState"
--- @include "repLimits"
--- @include "audit"
--- @include "presence"

-- The answers of `one(i, a, b, c)` for each triple of ARGS (the i-th has the i-th rep's keys), in order.
local function eachTriple(one)
  local answers = {}
  for i = 1, #ARGS / 3 do
    answers[i] = one(i, ARGS[3 * i - 2], ARGS[3 * i - 1], ARGS[3 * i])
  end
  return reply(answers)
end

-- Lead `id` of pool p (in `mode`) taken by rep, its counters kept, its event recorded as that
-- rep's act (the call's context has no one actor): the answer, with whether the rep has an
-- open tab besides `tab`.
local function takenBy(rep, id, p, mode, now, ctrKey, l, tab, eventType)
  take(id, p, rep, now)
  recordClaim(ctrKey, l.recentClaims, now)
  audit(eventType, { poolId = p.id, leadId = id, repId = rep, actor = { role = 'rep', id = rep } })
  return { ok = true, mode = mode, lead = leadOut(id), otherTabs = hasOtherTabs(rep, tab) }
end
