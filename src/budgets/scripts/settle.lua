-- Settle: replace a request's hold with its actual cost, report the alert thresholds this
-- crossed first, and append the usage event to the shard's stream, all in one atomic step.
--
-- KEYS: settled marker, usage stream, then per rule (5 each): counter, held, exp, seed state,
--       late settles, then one alert marker per threshold, rule by rule.
-- ARGV: now_ms, actual, request_id, settled_ttl_ms, rule_count, seed_mode (lazy|none),
--       then per rule: counter_ttl_ms (-1: never expires), threshold_count,
--         then per threshold: pct, at_nano,
--       then the event as field, value, field, value, ...
-- The event gets a `crossed` field listing the alert markers this settle set (keys.ts).
-- Returns {0} when already settled, else {1, stream_id, rule_i, pct, rule_i, pct, ...}.
local now, actual, id = ARGV[1], ARGV[2], ARGV[3]

-- Idempotency: the first settle of a request id wins; a second one changes nothing.
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[4]) then return {0} end

local n, lazy = tonumber(ARGV[5]), ARGV[6] == 'lazy'
local a = 7 -- ARGV cursor
local k = 3 + 5 * n -- KEYS cursor: first alert marker
local out = {1, ''}
local crossed = {}

for i = 1, n do
  local b = 5 * i - 2
  local counter, hk, ek = KEYS[b], KEYS[b + 1], KEYS[b + 2]
  local ttl, count = ARGV[a], tonumber(ARGV[a + 1])
  a = a + 2
  prune(hk, ek, now, id)
  -- A counter still waiting for its seed lists what it already holds, so the seed leaves it out.
  if seedState(KEYS[b + 3], ttl, lazy) ~= 's' then
    redis.call('SADD', KEYS[b + 4], id)
    if ttl ~= '-1' then redis.call('PEXPIRE', KEYS[b + 4], ttl) end
  end
  -- Charged even when the hold already expired: the money was really spent.
  local spent = redis.call('INCRBY', counter, actual)
  -- A counter is created here or by a seed with its expiry; set it when this call created it.
  if ttl ~= '-1' and spent == tonumber(actual) then redis.call('PEXPIRE', counter, ttl) end
  for _ = 1, count do
    local pct, at = ARGV[a], tonumber(ARGV[a + 1])
    a = a + 2
    if spent > 0 and spent >= at then
      -- SET NX: exactly one settle, on any gateway instance, fires each threshold per period.
      local set
      if ttl == '-1' then set = redis.call('SET', KEYS[k], '1', 'NX')
      else set = redis.call('SET', KEYS[k], '1', 'NX', 'PX', ttl) end
      if set then
        out[#out + 1] = i
        out[#out + 1] = tonumber(pct)
        crossed[#crossed + 1] = KEYS[k]
      end
    end
    k = k + 1
  end
end

local fields = {}
for j = a, #ARGV do fields[#fields + 1] = ARGV[j] end
-- The crossings travel with the usage event, so the ledger writer records the alerts even if
-- this gateway dies before it does (the event is acknowledged only once they are recorded).
if #crossed > 0 then
  fields[#fields + 1] = 'crossed'
  fields[#fields + 1] = table.concat(crossed, ' ')
end
out[2] = redis.call('XADD', KEYS[2], '*', unpack(fields))
return out
