--[[
  Pool mode and settings. Settings are stored as JSON per field; a missing field reads
  as its DEFAULT_SETTINGS value (as mergeSettings in server/domain/settings.ts does).
]]
--- @include "keys"

-- nil for null
local function setting(name)
  local v = redis.call('HGET', K.settings, name)
  if not v then return DEFAULT_SETTINGS[name] end
  local d = cjson.decode(v)
  if d == cjson.null then return nil end
  return d
end

-- A numeric setting; 0 when null (off).
local function num(name)
  local v = setting(name)
  if type(v) == 'number' then return v end
  return 0
end

local function poolMode() return redis.call('HGET', K.pool, 'mode') or DEFAULT_MODE end
