--[[
  Accepts many leads into one pool (a CSV import), each exactly as insertLead.lua does, one
  after the other in the given order: a lead repeating an earlier one of the same call is
  its duplicate. One store clock reading for all of them.

  Input:
    KEYS  the global keys, then the pool's keys, then the four keys of every rep in any of
          the leads' eligible lists
    ARGS[1] JSON list of { id, doc, status, eligible, ext, email, phone, reps = [indexes of
            its eligible reps among the passed reps, 1-based] }

  Output (JSON):
    { results = [ insertLead's reply per lead, in order ] } | { code = 'NO_POOL' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "ingest"

if not installed() then return fail('NOINSTALL') end
local p = POOLS[1]
if not poolExists(p.id) then return fail('NO_POOL') end
local now = nowMs()
local results = {}
for i, lead in ipairs(cjson.decode(ARGS[1])) do
  local eligKeys = {}
  for _, r in ipairs(lead.reps) do
    local _, _, _, eligKey = repKeys(r)
    eligKeys[#eligKeys + 1] = eligKey
  end
  results[i] = ingestLead(p, now, lead, eligKeys)
end
return reply({ results = results })
