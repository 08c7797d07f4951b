--[[
  A rep pulls the oldest open lead it may take (every mode but round-robin). Checks in
  the order of server/domain/policy.ts checkPull; change them together.

  Input:
    KEYS  the pool-wide keys, then the rep's four keys
    ARGV[1] rep id

  Output (JSON):
    { ok = true, mode, lead }
    | { code = NOT_FOUND | MODE_FORBIDS | UNAVAILABLE | RATE_LIMITED | CAP_REACHED | COOLDOWN
        | WINDOW_CAP | POOL_EMPTY | NOINSTALL }
]]
--- @include "keys"
--- @include "common"
--- @include "settings"
--- @include "leadState"
--- @include "eligibility"
--- @include "repLimits"

if not installed() then return fail('NOINSTALL') end
local rep = ARGV[1]
local repKey, ctrKey, rlKey = repKeys(1)
local now = nowMs()
local mode = poolMode()
local l = limits(rep, repKey, ctrKey, rlKey, now)
if not l then return fail('NOT_FOUND') end
if mode == 'round-robin' then return fail('MODE_FORBIDS') end
local f = checkLimits(l, now)
if f then return fail(f) end
local found = nil
local offset, batch = 0, 200
while not found do
  local ids = redis.call('ZRANGE', K.open, offset, offset + batch - 1)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    if mayClaim(id, rep, mode) then found = id break end
  end
  offset = offset + batch
end
if not found then return fail('POOL_EMPTY') end
take(found, rep, now)
recordClaim(ctrKey, l.recentClaims, now)
return reply({ ok = true, mode = mode, lead = leadOut(found) })
