--[[
  The audit trail (docs/API.md, Audit trail): every changing script records its events here,
  in the same script as the change. One stream, K.events (keys.ts), one entry per event whose
  one field `e` is the event's JSON without its id (the entry id is the id), trimmed with
  MAXLEN ~ to the bound of the call's context. The context (AUDIT_ARG, includes/keys.lua) is
  JSON { actor = { role, id? }, reason?, max } from server/store/redis/store.ts; events never
  carry a contact field.
]]
--- @include "keys"
--- @include "common"

local AUDIT_CTX = nil
local function auditCtx()
  if AUDIT_CTX == nil then
    AUDIT_CTX = (AUDIT_ARG ~= nil and AUDIT_ARG ~= '') and cjson.decode(AUDIT_ARG) or {}
  end
  return AUDIT_CTX
end

-- The call's reason (release: 'rep', 'manager', 'offline', ...), or `default`.
local function auditReason(default) return auditCtx().reason or default end

-- ms since the epoch as an ISO time (UTC), as JavaScript's toISOString (days from civil dates: H. Hinnant).
local function isoTime(ms)
  local secs = math.floor(ms / 1000)
  local days = math.floor(secs / 86400)
  local rem = secs - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', y, m, d, math.floor(rem / 3600), math.floor((rem % 3600) / 60), rem % 60, ms % 1000)
end

-- Records one event. ev: { poolId?, leadId?, repId?, data?, actor? } (actor: the call's unless given).
local function audit(eventType, ev)
  local ctx = auditCtx()
  local e = {
    at = isoTime(nowMs()),
    type = eventType,
    poolId = ev.poolId,
    leadId = ev.leadId,
    repId = ev.repId,
    actor = ev.actor or ctx.actor or { role = 'system' },
    data = ev.data,
  }
  redis.call('XADD', K.events, 'MAXLEN', '~', tostring(ctx.max or DEFAULT_AUDIT_MAX_EVENTS), '*', 'e', cjson.encode(e))
end

-- What an event tells of a lead's arrival from its `doc` JSON: never a contact field.
local function arrivalOf(docJson)
  local ok, doc = pcall(cjson.decode, docJson or '{}')
  local out = {}
  if not ok or type(doc) ~= 'table' then return out end
  for _, f in ipairs({ 'source', 'externalId', 'feedId' }) do
    if type(doc[f]) == 'string' then out[f] = doc[f] end
  end
  return out
end
