-- Status of one budget counter: spent in the current period and the live holds.
-- KEYS: counter, held, exp. ARGV: now_ms. Returns {spent, held}. Purges expired holds.
local held = prune(KEYS[2], KEYS[3], ARGV[1], nil)
return {N(redis.call('GET', KEYS[1])), held}
