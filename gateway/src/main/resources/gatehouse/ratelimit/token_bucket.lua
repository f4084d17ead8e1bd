-- One rate-limit decision, atomic on the Redis server, timed by Redis's own clock: the arithmetic
-- of gatehouse.ratelimit.TokenBucket, exactly. A bucket of r tokens per window w (nanoseconds)
-- holds credit in units where a token is w units and each nanosecond adds r units. The credit is
-- kept as whole tokens n plus a remainder f (0 <= f < w), so every number stays an integer below
-- 2^53 (Lua numbers are doubles) for every limit gatehouse.ratelimit.Limit allows.
--
-- KEYS[1]  the bucket
-- ARGV[1]  r, requests per window
-- ARGV[2]  w, the window in nanoseconds
-- ARGV[3]  how long an untouched bucket is kept, in milliseconds (it is full again by then)
-- Returns {allowed (1 or 0), tokens left, nanoseconds until one token, nanoseconds until full, Redis time in microseconds}.

if redis.replicate_commands then redis.replicate_commands() end

local r = tonumber(ARGV[1])
local w = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])

-- floor(a * b / c) and (a * b) mod c, exactly, for 0 <= a < c < 2^52 and 0 <= b < 2^31.
local function muldiv(a, b, c)
  local q, m = 0, 0
  local bit = 1073741824
  while bit >= 1 do
    q, m = q * 2, m * 2
    if m >= c then q, m = q + 1, m - c end
    if b >= bit then
      b = b - bit
      m = m + a
      if m >= c then q, m = q + 1, m - c end
    end
    bit = bit / 2
  end
  return q, m
end

-- ceil(x / y) for integers |x|, y < 2^52.
local function ceildiv(x, y)
  return -math.floor(-x / y)
end

local n, f, at
local s = redis.call('HMGET', KEYS[1], 'r', 'w', 'n', 'f', 'at')
if s[1] == ARGV[1] and s[2] == ARGV[2] and s[3] and s[4] and s[5] then
  n, f, at = tonumber(s[3]), tonumber(s[4]), tonumber(s[5])
else
  -- New, or seen with another limit: a full bucket of this one.
  n, f, at = r, 0, now
end

-- Refill; time going backwards (a failover to a server whose clock is behind) refills nothing.
local elapsed = now - at
if elapsed > 0 then
  if elapsed * 1000 >= w then
    n, f = r, 0
  else
    local q, m = muldiv(elapsed * 1000, r, w)
    n, f = n + q, f + m
    if f >= w then n, f = n + 1, f - w end
    if n >= r then n, f = r, 0 end
  end
  at = now
end

local allowed = 0
local untilOne = 0
if n >= 1 then
  n = n - 1
  allowed = 1
else
  untilOne = ceildiv(w - f, r)
end

-- Until full: (r - n) * w - f units at r units per nanosecond, with (r - n) * w split so it stays exact.
local untilFull = 0
local d = r - n
if d > 0 then
  local qw, rw = math.floor(w / r), w % r
  local q, m = muldiv(rw, d, r)
  untilFull = d * qw + q + ceildiv(m - f, r)
end

redis.call('HSET', KEYS[1], 'r', ARGV[1], 'w', ARGV[2], 'n', string.format('%.0f', n), 'f', string.format('%.0f', f),
  'at', string.format('%.0f', at))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {allowed, n, untilOne, untilFull, now}
