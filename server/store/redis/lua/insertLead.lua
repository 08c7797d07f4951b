--[[
  Accepts a lead into a pool, unless it duplicates one of that pool: by externalId always,
  by email or phone within the pool's settings.duplicateWindowMs. An open lead gets its
  escalation scheduled when the pool's settings.escalateAfterMs is on (rules may narrow it
  later; a no-op for everyone). Acceptance order (seq) is one counter for all pools.
  (includes/ingest.lua; insertLeads.lua takes many at once.)

  Input:
    KEYS  the global keys, then the pool's keys, then the four keys of each rep in its eligible list
    ARGS[1] lead id
    ARGS[2] feed input JSON (the `doc` column; feedId included)
    ARGS[3] status: open | disqualified
    ARGS[4] eligible JSON ("*" or rep ids)
    ARGS[5] externalId, or ''
    ARGS[6] lower-cased email, or ''
    ARGS[7] normalized phone, or ''
    ARGS[8] the lead's search tokens, JSON (server/domain/search.ts searchTokens)
    ARGS[9..] the eligible rep ids, in the order of their keys

  Output (JSON):
    { duplicate = false, lead } | { duplicate = true, by = 'externalId' | 'email' | 'phone', lead = the existing one }
    | { code = 'NO_POOL' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "ingest"

if not installed() then return fail('NOINSTALL') end
local p = POOLS[1]
if not poolExists(p.id) then return fail('NO_POOL') end
local eligKeys = {}
for i = 9, #ARGS do
  local _, _, _, eligKey = repKeys(i - 8)
  eligKeys[#eligKeys + 1] = eligKey
end
local lead = {
  id = ARGS[1], doc = ARGS[2], status = ARGS[3], eligible = ARGS[4], ext = ARGS[5], email = ARGS[6], phone = ARGS[7],
  search = cjson.decode(ARGS[8]),
}
return reply(ingestLead(p, nowMs(), lead, eligKeys))
