--[[
  Deletes a hosted form.

  Input:
    KEYS  the global keys
    ARGS[1] form id

  Output (JSON):
    { ok = true } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"

if not installed() then return fail('NOINSTALL') end
local id = ARGS[1]
if redis.call('HDEL', K.forms, id) == 0 then return fail('NOT_FOUND') end
redis.call('ZREM', K.formorder, id)
return reply({ ok = true })
