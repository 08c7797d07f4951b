--[[
  Rotates a feed's key: the new hash finds the feed, the old one no longer does.

  Input:
    KEYS  the global keys
    ARGS[1] feed id
    ARGS[2] new key hash

  Output (JSON):
    { feed = StoredFeed JSON } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local id, keyHash = ARGS[1], ARGS[2]
local json = redis.call('HGET', K.feeds, id)
if not json then return fail('NOT_FOUND') end
local feed = cjson.decode(json)
if redis.call('HGET', K.feedkeys, feed.keyHash) == id then redis.call('HDEL', K.feedkeys, feed.keyHash) end
feed.keyHash = keyHash
json = cjson.encode(feed)
redis.call('HSET', K.feeds, id, json)
redis.call('HSET', K.feedkeys, keyHash, id)
audit('feed.key', { data = { feedId = id } })
return reply({ feed = json })
