--[[
  The owner of a claimed lead records an outcome; a closing one (CLOSING_OUTCOMES of
  shared/protocol.ts) closes the lead.

  Input:
    KEYS  the global keys, then every pool's keys
    ARGS[1] lead id
    ARGS[2] rep id
    ARGS[3] outcome
    ARGS[4] '1' when a note comes with it, else '0'
    ARGS[5] the note

  Output (JSON):
    { ok = true, lead } | { code = NOT_FOUND | NOT_OWNER | RETRY (pools changed) | NOINSTALL }
]]
--- @include "keys"
--- @include "common"
--- @include "leadColumns"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
if not allPoolsPassed() then return fail('RETRY') end
local id, rep, outcome = ARGS[1], ARGS[2], ARGS[3]
local st = redis.call('HGET', K.status, id)
if not st then return fail('NOT_FOUND') end
if st ~= 'claimed' or redis.call('HGET', K.claimedBy, id) ~= rep then return fail('NOT_OWNER') end
redis.call('HSET', K.outcome, id, outcome)
if ARGS[4] == '1' then redis.call('HSET', K.outcomeNote, id, ARGS[5]) end
-- a claimed lead's pool exists (deletePool refuses a pool holding claimed leads)
local p = poolOfLead(id)
if CLOSING_OUTCOMES[outcome] then
  removeHeld(p, rep, id)
  setStatus(id, p, 'claimed', 'closed')
  redis.call('HSET', K.closedAt, id, nowMs())
end
audit('lead.outcome', { poolId = p.id, leadId = id, repId = rep, data = { outcome = outcome, note = ARGS[4] == '1' and ARGS[5] or nil } })
if CLOSING_OUTCOMES[outcome] then audit('lead.closed', { poolId = p.id, leadId = id, repId = rep, data = { outcome = outcome } }) end
return reply({ ok = true, lead = leadOut(id) })
