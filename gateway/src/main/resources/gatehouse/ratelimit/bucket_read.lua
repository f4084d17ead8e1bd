-- A token bucket of token_bucket.lua as stored, read without taking a token, with Redis's time;
-- gatehouse.ratelimit.TokenBucket refills it to that time.
--
-- KEYS[1]  the bucket
-- Returns {r, w (nanoseconds), whole tokens n, remainder f, at (microseconds), Redis time in
-- microseconds}; the first five are false when there is no bucket.

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local s = redis.call('HMGET', KEYS[1], 'r', 'w', 'n', 'f', 'at')
return {s[1], s[2], s[3], s[4], s[5], now}
