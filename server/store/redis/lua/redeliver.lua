--[[
  A delivery is pending again, due now, its attempts counted from 0, at the newest end of
  its webhook's log.

  Input:
    KEYS  the global keys
    ARGS[1] delivery id

  Output (JSON):
    { delivery = StoredDelivery JSON } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "outbox"

if not installed() then return fail('NOINSTALL') end
local json = redis.call('HGET', K.dlv, ARGS[1])
if not json then return fail('NOT_FOUND') end
local d = cjson.decode(json)
local now = nowMs()
d.status = 'pending'
d.attempts = 0
d.dueAt = now
d.lease = nil
relog(d)
json = cjson.encode(d)
redis.call('HSET', K.dlv, d.id, json)
redis.call('ZADD', K.dlvdue, now, d.id)
return reply({ delivery = json })
