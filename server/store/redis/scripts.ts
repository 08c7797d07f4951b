// The Lua side of the Redis store: every race-deciding operation is one script here.
// Each script is PRELUDE + body; the prelude binds the pool-wide KEYS by name (keys.ts,
// same order) and holds the shared helpers. No key name is built inside a script: per-rep
// keys arrive in KEYS after the global ones (repKeys(i) = the i-th rep's four keys).
// Every script answers one JSON string (cjson), decoded by RedisStore.
//
// The order of checks in claim and pull mirrors server/domain/policy.ts (checkClaim,
// checkPull, checkRepLimits, recordWin, nextInRotation, advanceRotation) and
// server/domain/view.ts (mayClaim) exactly; change them together.
import { createHash } from 'node:crypto';
import { GLOBAL_KEYS, REP_KEYS } from './keys.js';

const PRELUDE = `
local K = {}
local NAMES = {${GLOBAL_KEYS.map((k) => `'${k}'`).join(',')}}
for i, n in ipairs(NAMES) do K[n] = KEYS[i] end
local G = #NAMES
local NREP = ${REP_KEYS.length}
local function repKeys(i)
  local b = G + (i - 1) * NREP
  return KEYS[b + 1], KEYS[b + 2], KEYS[b + 3], KEYS[b + 4]
end
local STATUS_SET = { open = K.open, claimed = K.sclaimed, closed = K.sclosed, disqualified = K.sdisq }
local COLS = {'doc','status','owner','claimedAt','outcome','note','closedAt','escalatedAt','eligible','created'}
local SEP = '\\0'

local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function reply(t) return cjson.encode(t) end
local function fail(code, extra)
  local t = extra or {}
  t.code = code
  return reply(t)
end
local function installed() return redis.call('EXISTS', K.installed) == 1 end

-- settings: JSON per field; nil for missing or null
local function setting(name)
  local v = redis.call('HGET', K.settings, name)
  if not v then return nil end
  local d = cjson.decode(v)
  if d == cjson.null then return nil end
  return d
end
local function num(name, dflt)
  local v = setting(name)
  if type(v) == 'number' then return v end
  return dflt
end
local function poolMode() return redis.call('HGET', K.pool, 'mode') or 'shark-tank' end
local function event(kind, ...)
  redis.call('XADD', K.events, 'MAXLEN', '~', 10000, '*', 'type', kind, ...)
end

local function leadOut(id)
  local o = { id = id }
  for _, c in ipairs(COLS) do
    local v = redis.call('HGET', K[c], id)
    if v then o[c] = v end
  end
  return o
end

local function claimedMember(rep, id) return rep .. SEP .. id end
local function activeOf(rep)
  return redis.call('ZLEXCOUNT', K.claimed, '[' .. rep .. SEP, '(' .. rep .. '\\1')
end

local function setStatus(id, from, to)
  local seq = redis.call('ZSCORE', K.leads, id)
  if from and STATUS_SET[from] then redis.call('ZREM', STATUS_SET[from], id) end
  redis.call('ZADD', STATUS_SET[to], seq, id)
  redis.call('HSET', K.status, id, to)
end

-- server/domain/view.ts mayClaim
local function mayClaim(id, rep, mode)
  if mode ~= 'hybrid' then return true end
  local e = redis.call('HGET', K.eligible, id)
  if not e then return true end
  local list = cjson.decode(e)
  if type(list) ~= 'table' then return true end -- "*"
  for _, r in ipairs(list) do if r == rep then return true end end
  return false
end

local function parseWins(s)
  local out = {}
  if s then for t in string.gmatch(s, '[^,]+') do out[#out + 1] = tonumber(t) end end
  return out
end

-- embedded limitsOf(repId, now, true): nil when the rep is gone; else counts this action
local function limits(rep, repKey, ctrKey, rlKey, now)
  if redis.call('EXISTS', repKey) == 0 then return nil end
  local second = math.floor(now / 1000)
  local b = redis.call('HMGET', rlKey, 's', 'c')
  local count
  if tonumber(b[1]) == second then
    count = redis.call('HINCRBY', rlKey, 'c', 1)
  else
    redis.call('HSET', rlKey, 's', second, 'c', 1)
    count = 1
  end
  redis.call('PEXPIRE', rlKey, 2000)
  local r = redis.call('HMGET', repKey, 'away', 'maxActive')
  local c = redis.call('HMGET', ctrKey, 'lastWinAt', 'wins')
  return {
    away = r[1] == 'true',
    maxActive = tonumber(r[2]),
    active = activeOf(rep),
    lastWinAt = tonumber(c[1]) or 0,
    wins = parseWins(c[2]),
    actions = count,
  }
end

local function capOf(maxActive) return maxActive or num('maxActivePerRep', 10) end

-- server/domain/policy.ts checkRepLimits, same order
local function checkLimits(l, now)
  if l.away then return 'UNAVAILABLE' end
  local aps = num('maxActionsPerSecond', 0)
  if aps > 0 and l.actions > aps then return 'RATE_LIMITED' end
  if l.active >= capOf(l.maxActive) then return 'CAP_REACHED' end
  local cd = num('claimCooldownMs', 0)
  if cd > 0 and l.lastWinAt > 0 and now - l.lastWinAt < cd then return 'COOLDOWN' end
  local maxW, winMs = num('maxClaimsPerWindow', 0), num('claimWindowMs', 0)
  if maxW ~= 0 and winMs ~= 0 then
    local since, n = now - winMs, 0
    for _, t in ipairs(l.wins) do if t > since then n = n + 1 end end
    if n >= maxW then return 'WINDOW_CAP' end
  end
  return nil
end

-- server/domain/policy.ts recordWin (+ lastWinAt)
local function recordWin(ctrKey, wins, now)
  local w = num('claimWindowMs', 0)
  local kept = {}
  if w > 0 then
    for _, t in ipairs(wins) do if t > now - w then kept[#kept + 1] = t end end
    kept[#kept + 1] = now
  end
  redis.call('HSET', ctrKey, 'lastWinAt', now, 'wins', table.concat(kept, ','))
end

-- embedded takeLead: claimed by rep now, claim timeout scheduled
local function take(id, rep, now)
  local st = redis.call('HGET', K.status, id)
  local prev = redis.call('HGET', K.owner, id)
  if st == 'claimed' and prev then redis.call('ZREM', K.claimed, claimedMember(prev, id)) end
  setStatus(id, st, 'claimed')
  redis.call('HSET', K.owner, id, rep)
  redis.call('HSET', K.claimedAt, id, now)
  redis.call('HDEL', K.outcome, id)
  redis.call('HDEL', K.note, id)
  redis.call('ZADD', K.claimed, 0, claimedMember(rep, id))
  local timeout = num('claimTimeoutMs', 0)
  if timeout > 0 then
    redis.call('ZADD', K.due, now + timeout, 'x' .. SEP .. id .. SEP .. now)
  end
end

-- embedded reopen: back to the pool in its original acceptance order
local function reopen(id)
  local st = redis.call('HGET', K.status, id)
  local prev = redis.call('HGET', K.owner, id)
  if st == 'claimed' and prev then redis.call('ZREM', K.claimed, claimedMember(prev, id)) end
  setStatus(id, st, 'open')
  redis.call('HDEL', K.owner, id)
  redis.call('HDEL', K.claimedAt, id)
  redis.call('HDEL', K.outcome, id)
  redis.call('HDEL', K.note, id)
end

local function presenceOf(rep, repKey)
  if redis.call('EXISTS', repKey) == 0 then return 'offline' end
  local n = tonumber(redis.call('HGET', K.tabn, rep) or '0')
  if n <= 0 then return 'offline' end
  if redis.call('HGET', repKey, 'away') == 'true' then return 'away' end
  return 'available'
end
`;

const BODIES = {
  /** ARGV: newInstanceId, then field/JSON pairs of the default settings. */
  install: `
local cur = redis.call('GET', K.installed)
local fresh = false
if not cur then
  cur = ARGV[1]
  redis.call('SET', K.installed, cur)
  fresh = true
end
redis.call('HSETNX', K.pool, 'mode', 'shark-tank')
redis.call('HSETNX', K.pool, 'rules', '[]')
for i = 2, #ARGV, 2 do redis.call('HSETNX', K.settings, ARGV[i], ARGV[i + 1]) end
if fresh then event('installed', 'instance', cur) end
return reply({ id = cur, fresh = fresh })
`,

  /** ARGV: name, hash. SET NX semantics: the first writer wins. */
  ensureSecret: `
local created = redis.call('HSETNX', K.secrets, ARGV[1], ARGV[2]) == 1
return reply({ hash = redis.call('HGET', K.secrets, ARGV[1]), created = created })
`,

  /** ARGV: mode */
  setMode: `
if not installed() then return fail('NOINSTALL') end
local prev = poolMode()
redis.call('HSET', K.pool, 'mode', ARGV[1])
event('mode', 'mode', ARGV[1], 'previous', prev)
return reply({ previous = prev })
`,

  /** ARGV: field/JSON pairs. Answers every stored setting. */
  patchSettings: `
if not installed() then return fail('NOINSTALL') end
if #ARGV > 0 then redis.call('HSET', K.settings, unpack(ARGV)) end
event('settings')
local all = redis.call('HGETALL', K.settings)
local out = {}
for i = 1, #all, 2 do out[all[i]] = all[i + 1] end
return reply({ settings = out })
`,

  /** ARGV: rules JSON */
  setRules: `
if not installed() then return fail('NOINSTALL') end
redis.call('HSET', K.pool, 'rules', ARGV[1])
event('rules')
return reply({ ok = true })
`,

  /** repKeys(1); ARGV: repId, tokenHash, field/JSON pairs */
  createRep: `
if not installed() then return fail('NOINSTALL') end
local repKey = repKeys(1)
redis.call('DEL', repKey)
redis.call('HSET', repKey, unpack(ARGV, 3))
redis.call('HSET', K.tokens, ARGV[2], ARGV[1])
redis.call('ZADD', K.reps, redis.call('INCR', K.repseq), ARGV[1])
event('rep-created', 'rep', ARGV[1])
return reply({ ok = true })
`,

  /** repKeys(1); ARGV: repId, field/JSON pairs. Answers the rep's fields, or code NOT_FOUND. */
  updateRep: `
if not installed() then return fail('NOINSTALL') end
local repKey = repKeys(1)
if redis.call('EXISTS', repKey) == 0 then return fail('NOT_FOUND') end
if #ARGV > 1 then redis.call('HSET', repKey, unpack(ARGV, 2)) end
event('rep-updated', 'rep', ARGV[1])
local all = redis.call('HGETALL', repKey)
local out = {}
for i = 1, #all, 2 do out[all[i]] = all[i + 1] end
return reply({ ok = true, rep = out })
`,

  /** repKeys(1); ARGV: repId. Removes the rep, reopens its claimed leads, drops it from eligible lists. */
  deleteRep: `
if not installed() then return fail('NOINSTALL') end
local rep = ARGV[1]
local repKey, ctrKey, rlKey, eligKey = repKeys(1)
if redis.call('EXISTS', repKey) == 0 then return fail('NOT_FOUND') end
local all = redis.call('HGETALL', repKey)
local out = {}
for i = 1, #all, 2 do out[all[i]] = all[i + 1] end
if out.tokenHash then redis.call('HDEL', K.tokens, cjson.decode(out.tokenHash)) end
redis.call('ZREM', K.reps, rep)
redis.call('DEL', repKey, ctrKey, rlKey)
-- its tabs
local prefix = rep .. SEP
for _, f in ipairs(redis.call('HKEYS', K.tabs)) do
  if string.sub(f, 1, #prefix) == prefix then redis.call('HDEL', K.tabs, f) end
end
redis.call('HDEL', K.tabn, rep)
-- its claimed leads go back to the pool
local released = {}
for _, m in ipairs(redis.call('ZRANGEBYLEX', K.claimed, '[' .. prefix, '(' .. rep .. '\\1')) do
  local id = string.sub(m, #prefix + 1)
  reopen(id)
  released[#released + 1] = leadOut(id)
end
-- and it leaves every eligible list naming it
for _, id in ipairs(redis.call('SMEMBERS', eligKey)) do
  local e = redis.call('HGET', K.eligible, id)
  if e then
    local list = cjson.decode(e)
    if type(list) == 'table' then
      local kept, changed = {}, false
      for _, r in ipairs(list) do if r == rep then changed = true else kept[#kept + 1] = r end end
      if changed then
        redis.call('HSET', K.eligible, id, #kept == 0 and '[]' or cjson.encode(kept))
      end
    end
  end
end
redis.call('DEL', eligKey)
event('rep-deleted', 'rep', rep, 'released', #released)
return reply({ ok = true, rep = out, released = released })
`,

  /** repKeys(i) = the i-th eligible rep (its eligibility index).
   *  ARGV: id, docJSON, status, eligibleJSON, externalId|'', email|'', phone|'', eligible rep ids... */
  insertLead: `
if not installed() then return fail('NOINSTALL') end
local id, doc, status, elig, ext, email, phone = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local now = nowMs()
if ext ~= '' then
  local existing = redis.call('HGET', K.ext, ext)
  if existing then return reply({ duplicate = true, by = 'externalId', lead = leadOut(existing) }) end
end
local window = num('duplicateWindowMs', 0)
if window > 0 then
  local function recent(index, value)
    if value == '' then return nil end
    local other = redis.call('HGET', index, value)
    if not other then return nil end
    local created = tonumber(redis.call('HGET', K.created, other))
    if created and now - created < window then return other end
    return nil
  end
  local byEmail = recent(K.email, email)
  if byEmail then return reply({ duplicate = true, by = 'email', lead = leadOut(byEmail) }) end
  local byPhone = recent(K.phone, phone)
  if byPhone then return reply({ duplicate = true, by = 'phone', lead = leadOut(byPhone) }) end
end
local seq = redis.call('INCR', K.seq)
redis.call('ZADD', K.leads, seq, id)
redis.call('HSET', K.doc, id, doc)
redis.call('HSET', K.created, id, now)
redis.call('HSET', K.eligible, id, elig)
setStatus(id, nil, status)
if ext ~= '' then redis.call('HSET', K.ext, ext, id) end
if email ~= '' then redis.call('HSET', K.email, email, id) end
if phone ~= '' then redis.call('HSET', K.phone, phone, id) end
for i = 8, #ARGV do
  local _, _, _, eligKey = repKeys(i - 7)
  redis.call('SADD', eligKey, id)
end
local esc = num('escalateAfterMs', 0)
-- scheduled for every open lead: rules may narrow it later (reroute); a no-op for "*"
if status == 'open' and esc > 0 then
  redis.call('ZADD', K.due, now + esc, 'e' .. SEP .. id)
end
event('lead-created', 'lead', id, 'status', status)
return reply({ duplicate = false, lead = leadOut(id) })
`,

  /** repKeys(i) = the i-th rep named in ARGV[2..]. ARGV: changes JSON [{ id, json, reps }]
   *  (json = the new eligible as stored, reps = its rep ids or empty for "*"), rep ids...
   *  Re-routes leads still open and not escalated; keeps every rep's eligibility index. */
  reroute: `
local changes = cjson.decode(ARGV[1])
local index = {}
for i = 2, #ARGV do index[ARGV[i]] = i - 1 end
local function eligKeyOf(rep)
  local i = index[rep]
  if not i then return nil end
  local _, _, _, k = repKeys(i)
  return k
end
local changed = {}
for _, c in ipairs(changes) do
  local id = c.id
  if redis.call('HGET', K.status, id) == 'open' and redis.call('HEXISTS', K.escalatedAt, id) == 0 then
    local old = redis.call('HGET', K.eligible, id)
    if old ~= c.json then
      if old and old ~= '"*"' then
        for _, r in ipairs(cjson.decode(old)) do
          local k = eligKeyOf(r)
          if k then redis.call('SREM', k, id) end
        end
      end
      for _, r in ipairs(c.reps) do
        local k = eligKeyOf(r)
        if k then redis.call('SADD', k, id) end
      end
      redis.call('HSET', K.eligible, id, c.json)
      changed[#changed + 1] = id
    end
  end
end
if #changed > 0 then event('rerouted', 'count', #changed) end
return reply({ changed = changed })
`,

  /** Read-only: the number of leads in each status. */
  statusCounts: `
return reply({ open = redis.call('ZCARD', K.open), claimed = redis.call('ZCARD', K.sclaimed),
  closed = redis.call('ZCARD', K.sclosed), disqualified = redis.call('ZCARD', K.sdisq) })
`,

  /** Read-only: the open count and the oldest open lead's creation time (ms), in one snapshot. */
  openSummary: `
local count = redis.call('ZCARD', K.open)
local first = redis.call('ZRANGE', K.open, 0, 0)
local oldest = false
if first[1] then oldest = tonumber(redis.call('HGET', K.created, first[1])) or false end
return reply({ count = count, oldest = oldest })
`,

  /** ARGV: lead ids. Answers the leads found (read-only, one consistent snapshot). */
  readLeads: `
local out = {}
for _, id in ipairs(ARGV) do
  if redis.call('HEXISTS', K.status, id) == 1 then out[#out + 1] = leadOut(id) end
end
return reply({ leads = out })
`,

  /** repKeys(1); ARGV: leadId, repId. Order: server/domain/policy.ts checkClaim. */
  claim: `
if not installed() then return fail('NOINSTALL') end
local id, rep = ARGV[1], ARGV[2]
local repKey, ctrKey, rlKey = repKeys(1)
local now = nowMs()
local mode = poolMode()
local l = limits(rep, repKey, ctrKey, rlKey, now)
if not l then return fail('NOT_FOUND') end
if mode == 'blind-pull' or mode == 'round-robin' then return fail('MODE_FORBIDS') end
local st = redis.call('HGET', K.status, id)
if not st then return fail('NOT_FOUND') end
if st == 'claimed' then return fail('ALREADY_CLAIMED') end
if st ~= 'open' then return fail('NOT_OPEN') end
if not mayClaim(id, rep, mode) then return fail('NOT_ELIGIBLE') end
local f = checkLimits(l, now)
if f then return fail(f) end
take(id, rep, now)
recordWin(ctrKey, l.wins, now)
event('claimed', 'lead', id, 'rep', rep)
return reply({ ok = true, mode = mode, lead = leadOut(id) })
`,

  /** repKeys(1); ARGV: repId. Order: server/domain/policy.ts checkPull, then the oldest lead it may take. */
  pull: `
if not installed() then return fail('NOINSTALL') end
local rep = ARGV[1]
local repKey, ctrKey, rlKey = repKeys(1)
local now = nowMs()
local mode = poolMode()
local l = limits(rep, repKey, ctrKey, rlKey, now)
if not l then return fail('NOT_FOUND') end
if mode == 'round-robin' then return fail('MODE_FORBIDS') end
local f = checkLimits(l, now)
if f then return fail(f) end
local found = nil
local offset, batch = 0, 200
while not found do
  local ids = redis.call('ZRANGE', K.open, offset, offset + batch - 1)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    if mayClaim(id, rep, mode) then found = id break end
  end
  offset = offset + batch
end
if not found then return fail('POOL_EMPTY') end
take(found, rep, now)
recordWin(ctrKey, l.wins, now)
event('pulled', 'lead', found, 'rep', rep)
return reply({ ok = true, mode = mode, lead = leadOut(found) })
`,

  /** ARGV: leadId, repId ('' = a manager releases). */
  release: `
if not installed() then return fail('NOINSTALL') end
local id, by = ARGV[1], ARGV[2]
local st = redis.call('HGET', K.status, id)
if not st then return fail('NOT_FOUND') end
local owner = redis.call('HGET', K.owner, id)
if st ~= 'claimed' or (by ~= '' and owner ~= by) then return fail('NOT_OWNER') end
reopen(id)
event('released', 'lead', id, 'rep', owner, 'by', by == '' and 'manager' or by)
return reply({ ok = true, mode = poolMode(), previousOwner = owner, lead = leadOut(id) })
`,

  /** repKeys(1); ARGV: leadId, repId. Overrides mode and caps. */
  assign: `
if not installed() then return fail('NOINSTALL') end
local id, rep = ARGV[1], ARGV[2]
local repKey = repKeys(1)
local st = redis.call('HGET', K.status, id)
if not st then return fail('NOT_FOUND', { what = 'lead' }) end
if redis.call('EXISTS', repKey) == 0 then return fail('NOT_FOUND', { what = 'rep' }) end
if st ~= 'open' and st ~= 'claimed' then return fail('NOT_OPEN') end
local prev = nil
if st == 'claimed' then prev = redis.call('HGET', K.owner, id) end
take(id, rep, nowMs())
event('assigned', 'lead', id, 'rep', rep, 'previous', prev or '')
return reply({ ok = true, mode = poolMode(), previousOwner = prev, lead = leadOut(id) })
`,

  /** ARGV: leadId, repId, outcome, hasNote ('1'/'0'), note */
  outcome: `
if not installed() then return fail('NOINSTALL') end
local id, rep, outcome = ARGV[1], ARGV[2], ARGV[3]
local st = redis.call('HGET', K.status, id)
if not st then return fail('NOT_FOUND') end
if st ~= 'claimed' or redis.call('HGET', K.owner, id) ~= rep then return fail('NOT_OWNER') end
redis.call('HSET', K.outcome, id, outcome)
if ARGV[4] == '1' then redis.call('HSET', K.note, id, ARGV[5]) end
if outcome == 'won' or outcome == 'lost' or outcome == 'unreachable' then
  redis.call('ZREM', K.claimed, claimedMember(rep, id))
  setStatus(id, 'claimed', 'closed')
  redis.call('HSET', K.closedAt, id, nowMs())
end
event('outcome', 'lead', id, 'rep', rep, 'outcome', outcome)
return reply({ ok = true, lead = leadOut(id) })
`,

  /** repKeys(i) = candidate i; ARGV: candidate rep ids. server/domain/policy.ts nextInRotation/advanceRotation. */
  autoAssign: `
if not installed() then return fail('NOINSTALL') end
local mode = poolMode()
if mode ~= 'round-robin' then return reply({ none = true }) end
local first = redis.call('ZRANGE', K.open, 0, 0)[1]
if not first then return reply({ none = true }) end
local entries = {}
for i, rep in ipairs(ARGV) do
  local repKey, ctrKey = repKeys(i)
  if redis.call('EXISTS', repKey) == 1 then
    local r = redis.call('HMGET', repKey, 'away', 'maxActive', 'weight')
    if r[1] ~= 'true' and activeOf(rep) < capOf(tonumber(r[2])) then
      local c = redis.call('HMGET', ctrKey, 'rr', 'lastAssignedAt')
      entries[#entries + 1] = { rep = rep, ctrKey = ctrKey, score = tonumber(c[1]) or 0,
        lastAssignedAt = tonumber(c[2]) or 0, weight = tonumber(r[3]) or 1 }
    end
  end
end
local best, lowest = nil, nil
for _, e in ipairs(entries) do
  if not best or e.score < best.score or (e.score == best.score and e.lastAssignedAt < best.lastAssignedAt) then best = e end
  if not lowest or e.score < lowest then lowest = e.score end
end
if not best then return reply({ none = true }) end
local step = 1
if setting('weighted') == true then step = 1 / math.max(best.weight, 0.01) end
local now = nowMs()
redis.call('HSET', best.ctrKey, 'rr', string.format('%.17g', math.max(best.score, lowest) + step), 'lastAssignedAt', now)
take(first, best.rep, now)
event('auto-assigned', 'lead', first, 'rep', best.rep)
return reply({ ok = true, mode = mode, lead = leadOut(first) })
`,

  /** ARGV: max jobs. Pops due jobs (each fires once cluster-wide) and applies them. */
  runDue: `
if not installed() then return fail('NOINSTALL') end
local now = nowMs()
local mode = poolMode()
local jobs = redis.call('ZRANGEBYSCORE', K.due, '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local events = {}
-- a setting turned off since a job was scheduled cancels it
local escalating = num('escalateAfterMs', 0) > 0
local expiring = num('claimTimeoutMs', 0) > 0
for _, job in ipairs(jobs) do
  redis.call('ZREM', K.due, job)
  local parts = {}
  for p in string.gmatch(job, '[^%z]+') do parts[#parts + 1] = p end
  local kind, id = parts[1], parts[2]
  local st = redis.call('HGET', K.status, id)
  if st then
    local before = redis.call('HGET', K.eligible, id)
    if kind == 'e' and escalating and st == 'open' and before and before ~= '"*"' then
      redis.call('HSET', K.eligible, id, '"*"')
      redis.call('HSET', K.escalatedAt, id, now)
      event('escalated', 'lead', id)
      events[#events + 1] = { kind = 'escalated', lead = leadOut(id), previousEligible = before }
    elseif kind == 'x' and expiring and st == 'claimed' and redis.call('HGET', K.claimedAt, id) == parts[3]
        and redis.call('HEXISTS', K.outcome, id) == 0 then
      local prev = redis.call('HGET', K.owner, id)
      reopen(id)
      event('expired', 'lead', id, 'rep', prev)
      events[#events + 1] = { kind = 'expired', previousOwner = prev, lead = leadOut(id) }
    end
  end
end
return reply({ mode = mode, events = events, popped = #jobs })
`,

  /** repKeys(1); ARGV: repId, tabId, nodeId */
  tabOpened: `
local rep, tab, node = ARGV[1], ARGV[2], ARGV[3]
local repKey = repKeys(1)
redis.call('ZADD', K.nodes, nowMs(), node)
local before = presenceOf(rep, repKey)
if redis.call('EXISTS', repKey) == 1 then
  if redis.call('HSET', K.tabs, rep .. SEP .. tab, node) == 1 then redis.call('HINCRBY', K.tabn, rep, 1) end
  redis.call('HSET', repKey, 'away', 'false')
end
return reply({ before = before, after = presenceOf(rep, repKey) })
`,

  /** repKeys(1); ARGV: repId, tabId */
  tabClosed: `
local rep, tab = ARGV[1], ARGV[2]
local repKey = repKeys(1)
local before = presenceOf(rep, repKey)
if redis.call('HDEL', K.tabs, rep .. SEP .. tab) == 1 then
  if redis.call('HINCRBY', K.tabn, rep, -1) <= 0 then redis.call('HDEL', K.tabn, rep) end
end
return reply({ before = before, after = presenceOf(rep, repKey) })
`,

  /** repKeys(1); ARGV: repId, 'true'|'false' */
  setAway: `
local rep = ARGV[1]
local repKey = repKeys(1)
local before = presenceOf(rep, repKey)
if redis.call('EXISTS', repKey) == 1 then redis.call('HSET', repKey, 'away', ARGV[2]) end
return reply({ before = before, after = presenceOf(rep, repKey) })
`,

  /** repKeys(i) = rep i of ARGV[3..]; ARGV: nodeId, staleMs, rep ids that have tabs.
   *  Refreshes this node's heartbeat; drops the tabs of nodes silent for staleMs. */
  sweepPresence: `
local node, stale = ARGV[1], tonumber(ARGV[2])
local now = nowMs()
redis.call('ZADD', K.nodes, now, node)
local dead = {}
for _, n in ipairs(redis.call('ZRANGEBYSCORE', K.nodes, '-inf', '(' .. (now - stale))) do
  dead[n] = true
  redis.call('ZREM', K.nodes, n)
end
local repIndex = {}
for i = 3, #ARGV do repIndex[ARGV[i]] = i - 2 end
local all = redis.call('HGETALL', K.tabs)
local gone = {}
for i = 1, #all, 2 do
  local field, owner = all[i], all[i + 1]
  if dead[owner] or not redis.call('ZSCORE', K.nodes, owner) then
    local rep = string.match(field, '^(.-)%z')
    if rep and repIndex[rep] then
      gone[rep] = gone[rep] or {}
      table.insert(gone[rep], field)
    end
  end
end
local changes = {}
for rep, fields in pairs(gone) do
  local repKey = repKeys(repIndex[rep])
  local before = presenceOf(rep, repKey)
  for _, f in ipairs(fields) do
    if redis.call('HDEL', K.tabs, f) == 1 then
      if redis.call('HINCRBY', K.tabn, rep, -1) <= 0 then redis.call('HDEL', K.tabn, rep) end
    end
  end
  local after = presenceOf(rep, repKey)
  if before ~= after then changes[#changes + 1] = { repId = rep, before = before, after = after } end
end
return reply({ changes = changes })
`,
} as const;

export type ScriptName = keyof typeof BODIES;

export interface Script {
  name: ScriptName;
  source: string;
  sha: string;
}

export const SCRIPTS = Object.fromEntries(
  Object.entries(BODIES).map(([name, body]) => {
    const source = PRELUDE + body;
    return [name, { name, source, sha: createHash('sha1').update(source).digest('hex') }];
  }),
) as Record<ScriptName, Script>;
