--[[
  Clock, replies and small helpers every store script uses.
]]

-- Redis TIME in ms: the one clock of the cluster.
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Every script answers one JSON string (decoded by server/store/redis/decode.ts).
local function reply(t) return cjson.encode(t) end
local function fail(code, extra)
  local t = extra or {}
  t.code = code
  return reply(t)
end

-- HGETALL of a hash as a table
local function hashOf(key)
  local all = redis.call('HGETALL', key)
  local out = {}
  for i = 1, #all, 2 do out[all[i]] = all[i + 1] end
  return out
end

-- The parts of a compound member joined with SEP.
local function split(s)
  local out, from = {}, 1
  while true do
    local at = string.find(s, SEP, from, true)
    if not at then
      out[#out + 1] = string.sub(s, from)
      return out
    end
    out[#out + 1] = string.sub(s, from, at - 1)
    from = at + #SEP
  end
end

-- A Lua array as a JSON array (cjson encodes an empty table as {}).
local function jsonList(t)
  if #t == 0 then return '[]' end
  return cjson.encode(t)
end
