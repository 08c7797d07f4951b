--[[
  Removes a webhook and every delivery of it.

  Input:
    KEYS  the global keys
    ARGS[1] webhook id

  Output (JSON):
    { ok = true } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "outbox"

if not installed() then return fail('NOINSTALL') end
local id = ARGS[1]
if redis.call('HDEL', K.hooks, id) == 0 then return fail('NOT_FOUND') end
redis.call('ZREM', K.hookorder, id)
local from, to = logRange(id)
for _, m in ipairs(redis.call('ZRANGEBYLEX', K.dlvlog, from, to)) do
  local dlvId = split(m)[3]
  redis.call('HDEL', K.dlv, dlvId)
  redis.call('ZREM', K.dlvdue, dlvId)
end
redis.call('ZREMRANGEBYLEX', K.dlvlog, from, to)
return reply({ ok = true })
