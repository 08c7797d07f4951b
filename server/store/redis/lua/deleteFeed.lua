--[[
  Revokes a feed key: the feed and its key hash are gone.

  Input:
    KEYS  the global keys
    ARGS[1] feed id

  Output (JSON):
    { feed = StoredFeed JSON of the deleted feed } | { code = 'NOT_FOUND' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"
--- @include "audit"

if not installed() then return fail('NOINSTALL') end
local id = ARGS[1]
local json = redis.call('HGET', K.feeds, id)
if not json then return fail('NOT_FOUND') end
local keyHash = cjson.decode(json).keyHash
if redis.call('HGET', K.feedkeys, keyHash) == id then redis.call('HDEL', K.feedkeys, keyHash) end
redis.call('HDEL', K.feeds, id)
redis.call('ZREM', K.feedorder, id)
audit('feed.revoked', { data = { feedId = id } })
return reply({ feed = json })
