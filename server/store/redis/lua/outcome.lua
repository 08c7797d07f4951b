--[[
  The owner of a claimed lead records an outcome; a closing one (CLOSING_OUTCOMES of
  shared/protocol.ts) closes the lead.

  Input:
    KEYS  the pool-wide keys
    ARGV[1] lead id
    ARGV[2] rep id
    ARGV[3] outcome
    ARGV[4] '1' when a note comes with it, else '0'
    ARGV[5] the note

  Output (JSON):
    { ok = true, lead } | { code = NOT_FOUND | NOT_OWNER | NOINSTALL }
]]
--- @include "keys"
--- @include "common"
--- @include "leadColumns"

if not installed() then return fail('NOINSTALL') end
local id, rep, outcome = ARGV[1], ARGV[2], ARGV[3]
local st = redis.call('HGET', K.status, id)
if not st then return fail('NOT_FOUND') end
if st ~= 'claimed' or redis.call('HGET', K.claimedBy, id) ~= rep then return fail('NOT_OWNER') end
redis.call('HSET', K.outcome, id, outcome)
if ARGV[4] == '1' then redis.call('HSET', K.outcomeNote, id, ARGV[5]) end
if CLOSING_OUTCOMES[outcome] then
  redis.call('ZREM', K.claimed, claimedMember(rep, id))
  setStatus(id, 'claimed', 'closed')
  redis.call('HSET', K.closedAt, id, nowMs())
end
return reply({ ok = true, lead = leadOut(id) })
