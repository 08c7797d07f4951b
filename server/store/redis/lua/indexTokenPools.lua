--[[
  Fills `tokenpools` (token hash -> the rep's pools JSON) for reps stored before it
  existed; the scripts that change a rep's token or pools keep it from then on. Run at a
  connection when `tokenpools` holds fewer entries than `tokens` (RedisStore checks first),
  idempotent.

  Input:
    KEYS  the global keys, then the four keys of every rep
    ARGS  every rep id (`reps`), in the order of their key blocks

  Output (JSON):
    { indexed = number of reps written } | { code = 'RETRY' } (the reps changed meanwhile)
]]
--- @include "keys"
--- @include "common"
--- @include "eligibility"

if redis.call('ZCARD', K.reps) ~= #ARGS then return fail('RETRY') end
local n = 0
for i, rep in ipairs(ARGS) do
  if not redis.call('ZSCORE', K.reps, rep) then return fail('RETRY') end
  local repKey = repKeys(i)
  if redis.call('EXISTS', repKey) == 1 then
    syncTokenPools(repKey)
    n = n + 1
  end
end
return reply({ indexed = n })
