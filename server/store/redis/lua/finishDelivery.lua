--[[
  Records an attempt made under a lease; ignored when that lease was lost (it ran out and
  another claim took the delivery, or it was redelivered or removed meanwhile).

  Input:
    KEYS  the global keys
    ARGS[1] delivery id
    ARGS[2] lease
    ARGS[3] AttemptResult JSON { ok, status?, error?, retryInMs (null: failed) }

  Output (JSON):
    { ok = true } | { ok = false } | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "outbox"

if not installed() then return fail('NOINSTALL') end
local json = redis.call('HGET', K.dlv, ARGS[1])
if not json then return reply({ ok = false }) end
local d = cjson.decode(json)
if d.status ~= 'pending' or d.lease ~= ARGS[2] then return reply({ ok = false }) end
finishAttempt(d, nowMs(), cjson.decode(ARGS[3]))
trimLog(d.webhookId)
return reply({ ok = true })
