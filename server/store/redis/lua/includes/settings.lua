--[[
  A pool's mode, settings and rules (its `config` and `settings` hashes). Settings are stored
  as JSON per field; a missing field reads as its DEFAULT_SETTINGS value (as mergeSettings in
  server/domain/settings.ts does).
]]
--- @include "keys"

-- A setting of pool p; nil for null.
local function setting(p, name)
  local v = redis.call('HGET', p.settings, name)
  if not v then return DEFAULT_SETTINGS[name] end
  local d = cjson.decode(v)
  if d == cjson.null then return nil end
  return d
end

-- A numeric setting of pool p; 0 when null (off).
local function num(p, name)
  local v = setting(p, name)
  if type(v) == 'number' then return v end
  return 0
end

local function poolMode(p) return redis.call('HGET', p.config, 'mode') or DEFAULT_MODE end
