--[[
  Removes a rep: its token, tabs, counters and round-robin turns go, its claimed leads go
  back to their pools and it leaves every eligible list naming it.

  Input:
    KEYS  the global keys, then every pool's keys, then the rep's four keys
    ARGS[1] rep id

  Output (JSON):
    { ok = true, rep = { field = JSON value }, released = [lead] }
    | { code = 'NOT_FOUND' | 'RETRY' (pools changed) | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "leadState"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
if not allPoolsPassed() then return fail('RETRY') end
local rep = ARGS[1]
local repKey, ctrKey, rlKey, eligKey = repKeys(1)
if redis.call('EXISTS', repKey) == 0 then return fail('NOT_FOUND') end
local out = hashOf(repKey)
if out.tokenHash then
  redis.call('HDEL', K.tokens, cjson.decode(out.tokenHash))
  redis.call('HDEL', K.tokenpools, cjson.decode(out.tokenHash))
end
redis.call('ZREM', K.reps, rep)
redis.call('DEL', repKey, ctrKey, rlKey)
for _, p in ipairs(POOLS) do
  redis.call('HDEL', p.rrScore, rep)
  redis.call('HDEL', p.rrAt, rep)
end
-- its tabs
local prefix = rep .. SEP
for _, f in ipairs(redis.call('HKEYS', K.tabs)) do
  if string.sub(f, 1, #prefix) == prefix then redis.call('HDEL', K.tabs, f) end
end
redis.call('HDEL', K.tabn, rep)
redis.call('HDEL', K.unavail, rep)
-- its claimed leads go back to their pools (a claimed lead's pool exists)
local released = {}
local min, max = claimedRange(rep)
for _, m in ipairs(redis.call('ZRANGEBYLEX', K.claimed, min, max)) do
  local id = string.sub(m, #prefix + 1)
  local p = poolOfLead(id)
  reopen(id, p)
  audit('lead.released', { poolId = p.id, leadId = id, repId = rep, data = { reason = 'rep-removed', by = 'manager' } })
  released[#released + 1] = leadOut(id)
end
-- and it leaves every eligible list naming it
for _, id in ipairs(redis.call('SMEMBERS', eligKey)) do
  local e = redis.call('HGET', K.eligible, id)
  if e then
    local list = cjson.decode(e)
    if type(list) == 'table' then
      local kept, changed = {}, false
      for _, r in ipairs(list) do if r == rep then changed = true else kept[#kept + 1] = r end end
      if changed then redis.call('HSET', K.eligible, id, jsonList(kept)) end
    end
  end
end
redis.call('DEL', eligKey)
audit('rep.removed', { repId = rep, data = { name = out.name and cjson.decode(out.name) } })
return reply({ ok = true, rep = out, released = released })
