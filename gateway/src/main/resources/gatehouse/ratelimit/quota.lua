-- One quota step, atomic on the Redis server, timed by Redis's own clock: the calendar windows of
-- gatehouse.ratelimit.CalendarQuota (a UTC day, or a UTC month from the 1st), counted exactly.
-- The counter is a hash {s = its window's start, u = requests counted in it}; a window other than
-- the stored one starts from zero, so instances with skewed clocks agree on every window edge.
--
-- KEYS[1]  the counter
-- ARGV[1]  'take' (count one unless ARGV[2] are counted), 'give' (give one back if the window
--          started at ARGV[4] is still the current one) or 'read'
-- ARGV[2]  requests per window
-- ARGV[3]  'day' or 'month'
-- ARGV[4]  for 'give': the start of the window the request was counted in, epoch seconds
-- Returns {counted or given (1 or 0), requests counted now, window start, window end (epoch
-- seconds), Redis time in microseconds}.

if redis.replicate_commands then redis.replicate_commands() end

local time = redis.call('TIME')
local sec = tonumber(time[1])
local now = sec * 1000000 + tonumber(time[2])

-- Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's algorithms).
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m > 2) and (m - 3) or (m + 9)
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = (mp < 10) and (mp + 3) or (mp - 9)
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m, d
end

local day = math.floor(sec / 86400)
local first, next
if ARGV[3] == 'day' then
  first, next = day, day + 1
elseif ARGV[3] == 'month' then
  local y, m, d = civil_from_days(day)
  first = day - (d - 1)
  if m == 12 then next = days_from_civil(y + 1, 1, 1) else next = days_from_civil(y, m + 1, 1) end
else
  return redis.error_reply('ERR quota period must be day or month')
end
local start, stop = first * 86400, next * 86400

local s = redis.call('HMGET', KEYS[1], 's', 'u')
local used = 0
if tonumber(s[1]) == start and s[2] then used = tonumber(s[2]) end

local done = 0
if ARGV[1] == 'take' then
  if used < tonumber(ARGV[2]) then
    used = used + 1
    done = 1
    redis.call('HSET', KEYS[1], 's', string.format('%.0f', start), 'u', string.format('%.0f', used))
    -- Kept a day past its window (only the start it stores decides the count), then dropped.
    redis.call('EXPIREAT', KEYS[1], stop + 86400)
  end
elseif ARGV[1] == 'give' then
  if tonumber(ARGV[4]) == start and used > 0 then
    used = used - 1
    done = 1
    redis.call('HSET', KEYS[1], 'u', string.format('%.0f', used))
  end
elseif ARGV[1] ~= 'read' then
  return redis.error_reply('ERR quota step must be take, give or read')
end
return {done, used, start, stop, now}
