--[[
  Stores a webhook.

  Input:
    KEYS  the global keys
    ARGS[1] webhook id
    ARGS[2] StoredWebhook JSON

  Output (JSON):
    { ok = true } | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"

if not installed() then return fail('NOINSTALL') end
redis.call('HSET', K.hooks, ARGS[1], ARGS[2])
redis.call('ZADD', K.hookorder, nowMs(), ARGS[1])
return reply({ ok = true })
