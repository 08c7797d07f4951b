--[[
  Stores a secret's hash unless one exists (SET NX semantics: the first writer wins).

  Input:
    KEYS  the pool-wide keys
    ARGV[1] secret name
    ARGV[2] hash

  Output (JSON):
    { hash = the stored hash, created = whether this call stored it }
]]
--- @include "keys"
--- @include "common"

local created = redis.call('HSETNX', K.secrets, ARGV[1], ARGV[2]) == 1
return reply({ hash = redis.call('HGET', K.secrets, ARGV[1]), created = created })
