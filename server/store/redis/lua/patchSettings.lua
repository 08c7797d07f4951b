--[[
  Writes some settings of a pool. Timers turned on (or changed) apply to what already waits
  or is held, counted from when it arrived, was claimed or became unavailable (a time already
  past fires at once): escalateAfterMs and slaMs for its open leads, claimTimeoutMs for its
  claimed leads without an outcome, reclaimAfterOfflineMs for the unavailable reps.

  Input:
    KEYS  the global keys, then the pool's keys
    ARGS  setting name / JSON value pairs

  Output (JSON):
    { settings = { name = JSON value } of every stored setting } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadColumns"
--- @include "due"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local p = POOLS[1]
if not poolExists(p.id) then return fail('NOT_FOUND') end
local TIMERS = { 'escalateAfterMs', 'claimTimeoutMs', 'slaMs', 'reclaimAfterOfflineMs' }
local before = {}
for _, name in ipairs(TIMERS) do before[name] = num(p, name) end
if #ARGS > 0 then redis.call('HSET', p.settings, unpack(ARGS)) end
local patch = {}
for i = 1, #ARGS, 2 do patch[ARGS[i]] = cjson.decode(ARGS[i + 1]) end
audit('pool.settings', { poolId = p.id, data = { patch = patch } })
local changed = {}
for _, name in ipairs(TIMERS) do
  local v = num(p, name)
  if v > 0 and v ~= before[name] then changed[name] = v end
end
local esc, sla = changed.escalateAfterMs, changed.slaMs
if esc or sla then
  for _, id in ipairs(redis.call('ZRANGE', p.open, 0, -1)) do
    local arrived = tonumber(redis.call('HGET', K.createdAt, id))
    local e = redis.call('HGET', K.eligible, id)
    if esc and e and e ~= EVERYONE_JSON and redis.call('HEXISTS', K.escalatedAt, id) == 0 then scheduleEscalation(id, arrived + esc) end
    if sla and redis.call('HEXISTS', K.overdueAt, id) == 0 then scheduleSla(id, arrived + sla) end
  end
end
if changed.claimTimeoutMs then
  for _, m in ipairs(redis.call('ZRANGE', p.held, 0, -1)) do
    local id = string.sub(m, string.find(m, SEP, 1, true) + #SEP)
    local claimedAt = redis.call('HGET', K.claimedAt, id)
    if claimedAt and redis.call('HEXISTS', K.outcome, id) == 0 then
      scheduleExpiry(id, claimedAt, tonumber(claimedAt) + changed.claimTimeoutMs)
    end
  end
end
if changed.reclaimAfterOfflineMs then
  local since = hashOf(K.unavail)
  for rep, at in pairs(since) do scheduleReclaim(rep, p.id, at, tonumber(at) + changed.reclaimAfterOfflineMs) end
end
return reply({ settings = hashOf(p.settings) })
