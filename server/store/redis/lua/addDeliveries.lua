--[[
  Adds pending deliveries, due now; a delivery id already present, or of a webhook gone, is
  skipped. With the cursor check: only when the outbox cursor is still the expected one,
  and it moves in the same step (the materializer of server/service/webhooks.ts: two
  processes never add the same events' deliveries).

  Input:
    KEYS  the global keys
    ARGS[1] '1': check and move the cursor; '0': do not
    ARGS[2] the expected cursor ('' = none yet)
    ARGS[3] the new cursor
    ARGS[4] JSON list of NewDelivery

  Output (JSON):
    { ok = true } | { ok = false } (the cursor moved: nothing stored) | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "outbox"

if not installed() then return fail('NOINSTALL') end
if ARGS[1] == '1' then
  local cursor = redis.call('GET', K.hookcursor) or ''
  if cursor ~= ARGS[2] then return reply({ ok = false }) end
  redis.call('SET', K.hookcursor, ARGS[3])
end
local now = nowMs()
for _, d in ipairs(cjson.decode(ARGS[4])) do
  if redis.call('HEXISTS', K.dlv, d.id) == 0 and redis.call('HEXISTS', K.hooks, d.webhookId) == 1 then
    d.status = 'pending'
    d.attempts = 0
    d.dueAt = now
    relog(d)
    saveDelivery(d)
    redis.call('ZADD', K.dlvdue, now, d.id)
  end
end
return reply({ ok = true })
