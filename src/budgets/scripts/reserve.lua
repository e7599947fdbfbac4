-- Reserve: check every budget of a request and hold the estimate in all of them, or none.
--
-- KEYS, per rule i (4 each): counter (spent in the current period), held (hash), exp (zset),
--       seed state of the counter
-- ARGV: now_ms, amount, expiry_ms, request_id, hold_key_ttl_ms, seed_mode, then per rule:
--       limit, hard(1|0), counter_ttl_ms (-1: never expires)
-- seed_mode: 'lazy' (counters are seeded from the ledger: an unseeded one stops the call),
--            'skip' (seeding failed just now: admit on the counters as they are),
--            'none' (no ledger to seed from: a new counter is seeded as it is).
-- Returns {1, spent_1, held_1, ..., spent_n, held_n} when admitted (held includes this hold),
-- {0, i, spent_i, held_i} naming the hard rule with the least room, which denied,
-- or {2, i, token_i, ...} listing the counters to seed first (nothing was reserved).
--
-- A hard rule admits when spent + held + max(amount, 1) <= limit; soft rules never deny.
local now, amount, expiry, id, keep, mode = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local n = #KEYS / 4
local need = math.max(tonumber(amount), 1)
local spent, held = {}, {}
local deny, denyRoom = 0, 0

local unseeded = {2}
for i = 1, n do
  local st = seedState(KEYS[4 * i], ARGV[6 + 3 * i], mode ~= 'none')
  if st ~= 's' and mode == 'lazy' then
    unseeded[#unseeded + 1] = i
    unseeded[#unseeded + 1] = st
  end
end
if #unseeded > 1 then return unseeded end

for i = 1, n do
  local counter, hk, ek = KEYS[4 * i - 3], KEYS[4 * i - 2], KEYS[4 * i - 1]
  -- A retried reserve replaces its earlier hold instead of holding twice.
  held[i] = prune(hk, ek, now, id)
  spent[i] = N(redis.call('GET', counter))
  if ARGV[5 + 3 * i] == '1' then
    local room = tonumber(ARGV[4 + 3 * i]) - spent[i] - held[i]
    if room < need and (deny == 0 or room < denyRoom) then deny, denyRoom = i, room end
  end
end

if deny > 0 then return {0, deny, spent[deny], held[deny]} end

local out = {1}
for i = 1, n do
  local hk, ek = KEYS[4 * i - 2], KEYS[4 * i - 1]
  held[i] = held[i] + tonumber(amount)
  redis.call('HSET', hk, id, amount, SUM, S(held[i]))
  redis.call('ZADD', ek, expiry, id)
  -- The hold keys outlive their newest hold, then vanish once idle.
  if redis.call('PTTL', hk) < tonumber(keep) then
    redis.call('PEXPIRE', hk, keep)
    redis.call('PEXPIRE', ek, keep)
  end
  out[#out + 1] = spent[i]
  out[#out + 1] = held[i]
end
return out
