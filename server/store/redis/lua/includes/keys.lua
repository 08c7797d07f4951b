--[[
  Binds the KEYS and ARGV of a store script by name (server/store/redis/keys.ts Keys.script).
  KEYS: the global keys the script uses (K, generated per script), then one block of
  POOL_KEY_COUNT keys per pool (poolBlock, generated), then REP_KEY_COUNT keys per rep. ARGV[1] is
  the number of pool blocks, ARGV[2..] their pool ids, then the audit context (AUDIT_ARG);
  the script's own arguments follow, as ARGS. No key name is ever built inside a script.
  K and poolBlock are written out by the constants header (scripts.ts) as table
  constructors: a script binds its keys on every call, and a constructor costs Redis a
  fraction of filling a table name by name.
]]
-- Only the global keys this script uses are passed (scripts.ts globalKeysOf): any other is an error, not a nil key.
setmetatable(K, { __index = function(_, name) error('global key ' .. tostring(name) .. ' was not passed to this script') end })

-- The passed pools: POOLS[i] and POOL[id] are { id = pool id, <pool key name> = key }.
local NPOOLS = tonumber(ARGV[1])
local POOLS, POOL = {}, {}
for i = 1, NPOOLS do
  local p = poolBlock(ARGV[1 + i], GLOBAL_KEY_COUNT + (i - 1) * POOL_KEY_COUNT)
  POOLS[i] = p
  POOL[p.id] = p
end

-- The call's audit context (JSON, '' for reads: includes/audit.lua), then the script's own arguments.
local AUDIT_ARG = ARGV[NPOOLS + 2]
local ARGS = {}
for i = NPOOLS + 3, #ARGV do ARGS[#ARGS + 1] = ARGV[i] end

local REP_BASE = GLOBAL_KEY_COUNT + NPOOLS * POOL_KEY_COUNT
-- The i-th rep's keys: rep hash, counters, one-second action bucket, eligibility index.
local function repKeys(i)
  local base = REP_BASE + (i - 1) * REP_KEY_COUNT
  return unpack(KEYS, base + 1, base + REP_KEY_COUNT)
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
