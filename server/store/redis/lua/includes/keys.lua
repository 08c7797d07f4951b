--[[
  Binds the KEYS and ARGV of a store script by name (server/store/redis/keys.ts Keys.script).
  KEYS: the global keys the script uses (GLOBAL_KEY_NAMES, generated per script), then one block of POOL_KEY_NAMES per pool,
  then four keys per rep (REP_KEY_NAMES). ARGV[1] is the number of pool blocks, ARGV[2..]
  their pool ids, then the audit context (AUDIT_ARG); the script's own arguments follow, as ARGS. No key name is ever built
  inside a script.
]]
local K = {}
for i, name in ipairs(GLOBAL_KEY_NAMES) do K[name] = KEYS[i] end
-- Only the global keys this script uses are passed (scripts.ts globalKeysOf): any other is an error, not a nil key.
setmetatable(K, { __index = function(_, name) error('global key ' .. tostring(name) .. ' was not passed to this script') end })

-- The passed pools: POOLS[i] and POOL[id] are { id = pool id, <pool key name> = key }.
local NPOOLS = tonumber(ARGV[1])
local POOLS, POOL = {}, {}
for i = 1, NPOOLS do
  local base = #GLOBAL_KEY_NAMES + (i - 1) * #POOL_KEY_NAMES
  local p = { id = ARGV[1 + i] }
  for j, name in ipairs(POOL_KEY_NAMES) do p[name] = KEYS[base + j] end
  POOLS[i] = p
  POOL[p.id] = p
end

-- The call's audit context (JSON, '' for reads: includes/audit.lua), then the script's own arguments.
local AUDIT_ARG = ARGV[NPOOLS + 2]
local ARGS = {}
for i = NPOOLS + 3, #ARGV do ARGS[#ARGS + 1] = ARGV[i] end

local REP_BASE = #GLOBAL_KEY_NAMES + NPOOLS * #POOL_KEY_NAMES
-- The i-th rep's keys: rep hash, counters, one-second action bucket, eligibility index.
local function repKeys(i)
  local base = REP_BASE + (i - 1) * #REP_KEY_NAMES
  return unpack(KEYS, base + 1, base + #REP_KEY_NAMES)
end

-- status -> the sorted set of the leads in that status, over all pools / in a pool
local STATUS_SET = {}
for status, name in pairs(STATUS_KEY_NAMES) do STATUS_SET[status] = rawget(K, name) end
local function poolStatusSet(p, status) return p[STATUS_KEY_NAMES[status]] end

-- false on an empty store (fresh install or Redis wiped): write scripts then answer
-- NOINSTALL and the store runs install before retrying.
local function installed() return redis.call('EXISTS', K.installed) == 1 end

-- Whether a pool exists (in the registry).
local function poolExists(id) return redis.call('ZSCORE', K.pools, id) ~= false end

-- Whether the passed pools are exactly the registry (calls that pass every pool).
local function allPoolsPassed()
  if redis.call('ZCARD', K.pools) ~= NPOOLS then return false end
  for _, p in ipairs(POOLS) do if not poolExists(p.id) then return false end end
  return true
end
