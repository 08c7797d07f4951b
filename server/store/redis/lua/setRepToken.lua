--[[
  Gives a rep a new token: the new hash finds the rep, the old one no longer does (token
  rotation: a new link for the rep, the old link refused at once).

  Input:
    KEYS  the global keys, then the rep's four keys
    ARGS[1] rep id
    ARGS[2] new token hash

  Output (JSON):
    { ok = true } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "eligibility"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local rep, tokenHash = ARGS[1], ARGS[2]
local repKey = repKeys(1)
if redis.call('EXISTS', repKey) == 0 then return fail('NOT_FOUND') end
local old = redis.call('HGET', repKey, 'tokenHash')
if old then
  local oldHash = cjson.decode(old)
  if redis.call('HGET', K.tokens, oldHash) == rep then
    redis.call('HDEL', K.tokens, oldHash)
    redis.call('HDEL', K.tokenpools, oldHash)
  end
end
redis.call('HSET', repKey, 'tokenHash', cjson.encode(tokenHash))
redis.call('HSET', K.tokens, tokenHash, rep)
syncTokenPools(repKey)
audit('rep.token', { repId = rep })
return reply({ ok = true })
