--[[
  Changes a hosted form: each field of the patch replaces the stored one, a JSON null
  removes it (an optional text). A new poolId must name an existing pool. The merge is
  made here, in one step, so two changes of different fields both hold.

  Input:
    KEYS  the global keys
    ARGS[1] form id
    ARGS[2] the patch as JSON
    ARGS[3] the patch's poolId, or ''

  Output (JSON):
    { form = StoredForm JSON } | { code = 'NOT_FOUND' | 'NO_POOL' | 'NOINSTALL' }
]]
--- @include "keys"
--- @include "common"

if not installed() then return fail('NOINSTALL') end
local id, poolId = ARGS[1], ARGS[3]
local json = redis.call('HGET', K.forms, id)
if not json then return fail('NOT_FOUND') end
if poolId ~= '' and not poolExists(poolId) then return fail('NO_POOL') end
local form = cjson.decode(json)
local patch = cjson.decode(ARGS[2])
for key, value in pairs(patch) do
  if key ~= 'id' and key ~= 'createdAt' then
    if value == cjson.null then form[key] = nil else form[key] = value end
  end
end
-- lists stay lists: an empty one decodes as {} and would encode as an object (decode.ts luaList reads both)
json = cjson.encode(form)
redis.call('HSET', K.forms, id, json)
return reply({ form = json })
