--[[
  Changes a webhook's url, events, poolIds (null: every pool) or enabled.

  Input:
    KEYS  the global keys
    ARGS[1] webhook id
    ARGS[2] the patch as JSON

  Output (JSON):
    { hook = StoredWebhook JSON } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"

if not installed() then return fail('NOINSTALL') end
local json = redis.call('HGET', K.hooks, ARGS[1])
if not json then return fail('NOT_FOUND') end
local hook = cjson.decode(json)
local patch = cjson.decode(ARGS[2])
for _, field in ipairs({ 'url', 'events', 'enabled', 'poolIds' }) do
  local v = patch[field]
  if v == cjson.null then hook[field] = nil elseif v ~= nil then hook[field] = v end
end
json = cjson.encode(hook)
redis.call('HSET', K.hooks, ARGS[1], json)
return reply({ hook = json })
