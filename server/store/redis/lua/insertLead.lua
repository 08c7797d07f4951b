--[[
  Accepts a lead, unless it duplicates one: by externalId always, by email or phone
  within settings.duplicateWindowMs. An open lead gets its escalation scheduled when
  settings.escalateAfterMs is on (rules may narrow it later; a no-op for everyone).

  Input:
    KEYS  the pool-wide keys, then the four keys of each rep in its eligible list
    ARGV[1] lead id
    ARGV[2] feed input JSON (the `doc` column)
    ARGV[3] status: open | disqualified
    ARGV[4] eligible JSON ("*" or rep ids)
    ARGV[5] externalId, or ''
    ARGV[6] lower-cased email, or ''
    ARGV[7] normalized phone, or ''
    ARGV[8..] the eligible rep ids, in the order of their keys

  Output (JSON):
    { duplicate = false, lead } | { duplicate = true, by = 'externalId' | 'email' | 'phone', lead = the existing one }
    | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "leadColumns"
--- @include "settings"
--- @include "due"

if not installed() then return fail('NOINSTALL') end
local id, doc, status, elig, ext, email, phone = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local now = nowMs()
if ext ~= '' then
  local existing = redis.call('HGET', K.ext, ext)
  if existing then return reply({ duplicate = true, by = 'externalId', lead = leadOut(existing) }) end
end
local window = num('duplicateWindowMs')
if window > 0 then
  local function recent(index, value)
    if value == '' then return nil end
    local other = redis.call('HGET', index, value)
    if not other then return nil end
    local createdAt = tonumber(redis.call('HGET', K.createdAt, other))
    if createdAt and now - createdAt < window then return other end
    return nil
  end
  local byEmail = recent(K.email, email)
  if byEmail then return reply({ duplicate = true, by = 'email', lead = leadOut(byEmail) }) end
  local byPhone = recent(K.phone, phone)
  if byPhone then return reply({ duplicate = true, by = 'phone', lead = leadOut(byPhone) }) end
end
local seq = redis.call('INCR', K.seq)
redis.call('ZADD', K.leads, seq, id)
redis.call('HSET', K.doc, id, doc)
redis.call('HSET', K.createdAt, id, now)
redis.call('HSET', K.eligible, id, elig)
setStatus(id, nil, status)
if ext ~= '' then redis.call('HSET', K.ext, ext, id) end
if email ~= '' then redis.call('HSET', K.email, email, id) end
if phone ~= '' then redis.call('HSET', K.phone, phone, id) end
for i = 8, #ARGV do
  local _, _, _, eligKey = repKeys(i - 7)
  redis.call('SADD', eligKey, id)
end
local esc = num('escalateAfterMs')
if status == 'open' and esc > 0 then scheduleEscalation(id, now + esc) end
return reply({ duplicate = false, lead = leadOut(id) })
