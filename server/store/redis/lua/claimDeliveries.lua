--[[
  Claims due pending deliveries for one attempt each (like runDue's timers, each attempt is
  made by one process): attempts + 1, a lease, due again when the lease runs out (a process
  that dies mid-attempt leaves it to another). A delivery of a disabled webhook is marked
  failed instead; one whose webhook is gone is dropped.

  Input:
    KEYS  the global keys
    ARGS[1] at most this many
    ARGS[2] lease ms
    ARGS[3] lease prefix (random; each claim's lease is "<prefix>:<n>")

  Output (JSON):
    { claimed = [ { delivery = StoredDelivery JSON, url, secret, lease } ] } | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "outbox"

if not installed() then return fail('NOINSTALL') end
local now = nowMs()
local claimed = {}
for i, id in ipairs(redis.call('ZRANGEBYSCORE', K.dlvdue, '-inf', now, 'LIMIT', 0, tonumber(ARGS[1]))) do
  local json = redis.call('HGET', K.dlv, id)
  if not json then
    redis.call('ZREM', K.dlvdue, id)
  else
    local d = cjson.decode(json)
    local hookJson = redis.call('HGET', K.hooks, d.webhookId)
    if not hookJson then
      dropDelivery(d)
    else
      local hook = cjson.decode(hookJson)
      if not hook.enabled then
        finishAttempt(d, now, { ok = false, error = 'the webhook is disabled', retryInMs = cjson.null })
      else
        d.attempts = d.attempts + 1
        d.lease = ARGS[3] .. ':' .. i
        d.dueAt = now + tonumber(ARGS[2])
        saveDelivery(d)
        redis.call('ZADD', K.dlvdue, d.dueAt, id)
        claimed[#claimed + 1] = { delivery = cjson.encode(d), url = hook.url, secret = hook.secret, lease = d.lease }
      end
    end
  end
end
return reply({ claimed = claimed })
