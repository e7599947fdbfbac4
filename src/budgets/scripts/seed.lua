-- Seed: add the ledger's spend to a counter that waited for it, once.
--
-- KEYS: counter, seed state, late settles (set)
-- ARGV: token (the seed state the ledger was read for), amount, counter_ttl_ms (-1: never)
-- Returns 1 when applied, 0 when the state changed meanwhile (another gateway seeded it, or
-- the counter expired and started over): the caller just retries its reserve.
local token, amount, ttl = ARGV[1], ARGV[2], ARGV[3]
if redis.call('GET', KEYS[2]) ~= token then return 0 end
local spent = redis.call('INCRBY', KEYS[1], amount)
if ttl ~= '-1' and spent == tonumber(amount) then redis.call('PEXPIRE', KEYS[1], ttl) end
if ttl == '-1' then redis.call('SET', KEYS[2], 's') else redis.call('SET', KEYS[2], 's', 'PX', ttl) end
redis.call('DEL', KEYS[3])
return 1
