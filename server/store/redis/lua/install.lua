--[[
  Marks the store installed and seeds the defaults of whatever is missing (idempotent:
  every node runs it at every connection). A missing marker means an empty store: a fresh
  install, or a Redis that lost its data.

  Input:
    KEYS  the pool-wide keys
    ARGV[1] a new instance id, kept only when the store has none
    ARGV[2..] setting name / JSON value pairs of DEFAULT_SETTINGS (shared/protocol.ts)

  Output (JSON):
    { id = the store's instance id, fresh = whether this call installed it }
]]
--- @include "keys"
--- @include "common"

local cur = redis.call('GET', K.installed)
local fresh = false
if not cur then
  cur = ARGV[1]
  redis.call('SET', K.installed, cur)
  fresh = true
end
redis.call('HSETNX', K.pool, 'mode', DEFAULT_MODE)
redis.call('HSETNX', K.pool, 'rules', '[]') -- no rules
for i = 2, #ARGV, 2 do redis.call('HSETNX', K.settings, ARGV[i], ARGV[i + 1]) end
return reply({ id = cur, fresh = fresh })
