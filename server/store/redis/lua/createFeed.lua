--[[
  Stores a feed key (or replaces the feed with the same id, and its key). Its `pools` keep
  only pools that exist.

  Input:
    KEYS  the global keys
    ARGS[1] feed id
    ARGS[2] key hash
    ARGS[3] StoredFeed JSON (keyHash included)

  Output (JSON):
    { ok = true } | { code = 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "eligibility"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local id, keyHash = ARGS[1], ARGS[2]
local old = redis.call('HGET', K.feeds, id)
if old then
  local was = cjson.decode(old).keyHash
  if redis.call('HGET', K.feedkeys, was) == id then redis.call('HDEL', K.feedkeys, was) end
else
  redis.call('ZADD', K.feedorder, redis.call('INCR', K.feedseq), id)
end
local feed = cjson.decode(ARGS[3])
feed.pools = existingPools(feed.pools) -- an empty list is stored as {} (decode.ts luaList)
redis.call('HSET', K.feeds, id, cjson.encode(feed))
redis.call('HSET', K.feedkeys, keyHash, id)
audit('feed.created', { data = { feedId = id, name = feed.name, pools = feed.pools } })
return reply({ ok = true })
