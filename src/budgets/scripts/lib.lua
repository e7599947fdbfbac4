-- Helpers shared by the budget scripts; prepended to each script when it is loaded.
--
-- Numbers: Lua numbers in Redis are doubles, exact for integers below 2^53, and every
-- counter stays below that (limits and amounts are checked before the call). tostring()
-- would print 1e15 as "1e+15", which INCRBY rejects, so every computed number going back
-- into a Redis command goes through S(), which prints all the digits.
local function S(n) return string.format('%.0f', n) end
local function N(v) return tonumber(v) or 0 end

-- The field of a hold hash that keeps the sum of its holds; request ids are never empty.
local SUM = ''

-- Drops request `id`'s own hold (a retried reserve, or the settle of that request) and every
-- hold whose expiry (ms) is at or before `now` (a settle that never came stops counting),
-- then returns the amount still held (`id` nil: only the expired ones). At most 1000 expired
-- holds go per call, so one call cannot stall Redis: after a crash that left more behind,
-- the rest still count until the next calls drop them. The common case is two commands.
local function prune(held, exp, now, id)
  local v = id and redis.call('HMGET', held, SUM, id) or {redis.call('HGET', held, SUM), false}
  local sum, freed = N(v[1]), N(v[2])
  if v[2] then
    redis.call('HDEL', held, id)
    redis.call('ZREM', exp, id)
  end
  local ids = redis.call('ZRANGEBYSCORE', exp, '-inf', now, 'LIMIT', 0, 1000)
  if #ids > 0 then
    local amounts = redis.call('HMGET', held, unpack(ids))
    for i = 1, #ids do freed = freed + N(amounts[i]) end
    redis.call('HDEL', held, unpack(ids))
    redis.call('ZREM', exp, unpack(ids))
  end
  if freed ~= 0 then sum = redis.call('HINCRBY', held, SUM, S(-freed)) end
  return sum
end

-- The seed state of a counter (keys.ts, "Seeding"): 's' when seeded, else the token of its
-- first touch. A counter touched for the first time gets a token when the store seeds from
-- the ledger (`lazy`), or is seeded at once (nothing to seed from). `ttl` is the counter's.
local function seedState(key, ttl, lazy)
  local st = redis.call('GET', key)
  if st then return st end
  if lazy then
    local t = redis.call('TIME')
    st = 'b' .. t[1] .. '.' .. t[2]
  else
    st = 's'
  end
  if ttl == '-1' then redis.call('SET', key, st) else redis.call('SET', key, st, 'PX', ttl) end
  return st
end
