--[[
  Binds the KEYS of a store script by name. KEYS holds the pool-wide keys first, in the
  order of GLOBAL_KEYS (server/store/redis/keys.ts), then four keys per rep the call
  concerns, in the order of REP_KEYS. No key name is ever built inside a script.
]]
local K = {}
for i, name in ipairs(GLOBAL_KEY_NAMES) do K[name] = KEYS[i] end

-- The i-th rep's keys: rep hash, counters, one-second action bucket, eligibility index.
local function repKeys(i)
  local base = #GLOBAL_KEY_NAMES + (i - 1) * #REP_KEY_NAMES
  return unpack(KEYS, base + 1, base + #REP_KEY_NAMES)
end

-- status -> the sorted set of the leads in that status
local STATUS_SET = {}
for status, name in pairs(STATUS_KEY_NAMES) do STATUS_SET[status] = K[name] end

-- false on an empty store (fresh install or Redis wiped): write scripts then answer
-- NOINSTALL and the store runs install before retrying.
local function installed() return redis.call('EXISTS', K.installed) == 1 end
