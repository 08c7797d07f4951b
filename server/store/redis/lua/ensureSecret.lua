--[[
  Stores a secret's hash unless one exists (SET NX semantics: the first writer wins).

  Input:
    KEYS  the global keys
    ARGS[1] secret name
    ARGS[2] hash

  Output (JSON):
    { hash = the stored hash, created = whether this call stored it }
]]
--- @include "keys"
--- @include "common"

local created = redis.call('HSETNX', K.secrets, ARGS[1], ARGS[2]) == 1
return reply({ hash = redis.call('HGET', K.secrets, ARGS[1]), created = created })
