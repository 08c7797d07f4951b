--[[
  Accepts a lead into a pool, unless it duplicates one of that pool: by externalId always,
  by email or phone within the pool's settings.duplicateWindowMs. An open lead gets its
  escalation scheduled when the pool's settings.escalateAfterMs is on (rules may narrow it
  later; a no-op for everyone). Acceptance order (seq) is one counter for all pools.

  Input:
    KEYS  the global keys, then the pool's keys, then the four keys of each rep in its eligible list
    ARGS[1] lead id
    ARGS[2] feed input JSON (the `doc` column; feedId included)
    ARGS[3] status: open | disqualified
    ARGS[4] eligible JSON ("*" or rep ids)
    ARGS[5] externalId, or ''
    ARGS[6] lower-cased email, or ''
    ARGS[7] normalized phone, or ''
    ARGS[8..] the eligible rep ids, in the order of their keys

  Output (JSON):
    { duplicate = false, lead } | { duplicate = true, by = 'externalId' | 'email' | 'phone', lead = the existing one }
    | { code = 'NO_POOL' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "leadColumns"
--- @include "settings"
--- @include "due"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local p = POOLS[1]
if not poolExists(p.id) then return fail('NO_POOL') end
local id, doc, status, elig, ext, email, phone = ARGS[1], ARGS[2], ARGS[3], ARGS[4], ARGS[5], ARGS[6], ARGS[7]
local now = nowMs()
local arrival = arrivalOf(doc)
local function duplicateOf(other, by)
  local data = arrivalOf(doc)
  data.by = by
  audit('lead.duplicate', { poolId = p.id, leadId = other, data = data })
  return reply({ duplicate = true, by = by, lead = leadOut(other) })
end
if ext ~= '' then
  local existing = redis.call('HGET', p.ext, ext)
  if existing then return duplicateOf(existing, 'externalId') end
end
local window = num(p, 'duplicateWindowMs')
if window > 0 then
  local function recent(index, value)
    if value == '' then return nil end
    local other = redis.call('HGET', index, value)
    if not other then return nil end
    local createdAt = tonumber(redis.call('HGET', K.createdAt, other))
    if createdAt and now - createdAt < window then return other end
    return nil
  end
  local byEmail = recent(p.email, email)
  if byEmail then return duplicateOf(byEmail, 'email') end
  local byPhone = recent(p.phone, phone)
  if byPhone then return duplicateOf(byPhone, 'phone') end
end
local seq = redis.call('INCR', K.seq)
redis.call('ZADD', K.leads, seq, id)
redis.call('ZADD', p.leads, seq, id)
redis.call('HSET', K.doc, id, doc)
redis.call('HSET', K.poolId, id, p.id)
redis.call('HSET', K.createdAt, id, now)
redis.call('HSET', K.eligible, id, elig)
setStatus(id, p, nil, status)
if ext ~= '' then redis.call('HSET', p.ext, ext, id) end
if email ~= '' then redis.call('HSET', p.email, email, id) end
if phone ~= '' then redis.call('HSET', p.phone, phone, id) end
for i = 8, #ARGS do
  local _, _, _, eligKey = repKeys(i - 7)
  redis.call('SADD', eligKey, id)
end
local esc = num(p, 'escalateAfterMs')
if status == 'open' and esc > 0 then scheduleEscalation(id, now + esc) end
if status == 'disqualified' then
  local ok, parsed = pcall(cjson.decode, doc)
  if ok and type(parsed) == 'table' and type(parsed.disqualifiedReasons) == 'table' then arrival.reasons = parsed.disqualifiedReasons end
  audit('lead.disqualified', { poolId = p.id, leadId = id, data = arrival })
else
  audit('lead.created', { poolId = p.id, leadId = id, data = arrival })
end
return reply({ duplicate = false, lead = leadOut(id) })
