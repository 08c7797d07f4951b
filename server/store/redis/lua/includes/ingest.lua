--[[
  Accepting one lead into a pool (insertLead.lua, insertLeads.lua): dedup by externalId
  always, by email or phone within the pool's settings.duplicateWindowMs; then the lead's
  columns, indexes, its eligible reps' indexes and its escalation.
]]
--- @include "keys"
--- @include "common"
--- @include "leadColumns"
--- @include "settings"
--- @include "due"
--- @include "audit"

-- p: the pool block; lead: { id, doc, status, eligible (JSON), ext, email, phone ('' = none),
-- search (its search tokens) };
-- eligKeys: the eligibility index key of each of its eligible reps. Answers the reply entry.
local function ingestLead(p, now, lead, eligKeys)
  local id, ext, email, phone = lead.id, lead.ext, lead.email, lead.phone
  local arrival = arrivalOf(lead.doc)
  local function duplicateOf(other, by)
    local data = arrivalOf(lead.doc)
    data.by = by
    audit('lead.duplicate', { poolId = p.id, leadId = other, data = data })
    redis.call('HINCRBY', K.dups, other, 1)
    return { duplicate = true, by = by, lead = leadOut(other) }
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
  redis.call('ZADD', K.bytime, now, id)
  redis.call('HSET', K.doc, id, lead.doc)
  redis.call('HSET', K.poolId, id, p.id)
  redis.call('HSET', K.createdAt, id, now)
  redis.call('HSET', K.eligible, id, lead.eligible)
  setStatus(id, p, nil, lead.status)
  if ext ~= '' then redis.call('HSET', p.ext, ext, id) end
  if email ~= '' then redis.call('HSET', p.email, email, id) end
  if phone ~= '' then redis.call('HSET', p.phone, phone, id) end
  for _, token in ipairs(lead.search) do redis.call('ZADD', K.search, 0, token .. SEP .. id) end
  for _, key in ipairs(eligKeys) do redis.call('SADD', key, id) end
  local esc = num(p, 'escalateAfterMs')
  if lead.status == 'open' and esc > 0 then scheduleEscalation(id, now + esc) end
  local sla = num(p, 'slaMs')
  if lead.status == 'open' and sla > 0 then scheduleSla(id, now + sla) end
  if lead.status == 'disqualified' then
    local ok, parsed = pcall(cjson.decode, lead.doc)
    if ok and type(parsed) == 'table' and type(parsed.disqualifiedReasons) == 'table' then arrival.reasons = parsed.disqualifiedReasons end
    audit('lead.disqualified', { poolId = p.id, leadId = id, data = arrival })
  else
    audit('lead.created', { poolId = p.id, leadId = id, data = arrival })
  end
  return { duplicate = false, lead = leadOut(id) }
end
