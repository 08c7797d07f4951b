--[[
  Migrates a store written before layout v1 (idempotent; the store runs it at every
  connection, before install): each old lead column is RENAMEd to the name of its Lead
  field (owner -> claimedBy, note -> outcomeNote, created -> createdAt), only when the old
  key exists and the new one does not; keys no longer in the layout (the `events` stream
  nothing read) are deleted, except a stream whose newest entry has the field `e`: that is
  the audit trail of layout 2 (includes/audit.lua). Counter fields migrate lazily
  (includes/repLimits.lua).

  Input:
    KEYS  (old, new) pairs of the renamed columns, then the keys to delete
          (server/store/redis/keys.ts Keys.migrationV1)
    ARGV[1] number of (old, new) pairs

  Output (JSON):
    { renamed = number of columns renamed, deleted = number of keys deleted }
]]
--- @include "common"

local pairsCount = tonumber(ARGV[1])
local renamed, deleted = 0, 0
for i = 1, pairsCount do
  local from, to = KEYS[2 * i - 1], KEYS[2 * i]
  if redis.call('EXISTS', from) == 1 and redis.call('EXISTS', to) == 0 then
    redis.call('RENAME', from, to)
    renamed = renamed + 1
  end
end
-- Whether a key is the audit trail: a stream whose newest entry has the field `e`.
local function auditTrail(key)
  if redis.call('TYPE', key).ok ~= 'stream' then return false end
  local newest = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1]
  if not newest then return false end
  local fields = newest[2]
  for i = 1, #fields, 2 do if fields[i] == 'e' then return true end end
  return false
end
for i = 2 * pairsCount + 1, #KEYS do
  if not auditTrail(KEYS[i]) then deleted = deleted + redis.call('DEL', KEYS[i]) end
end
return reply({ renamed = renamed, deleted = deleted })
