-- One gateway instance says it is alive, and learns how many are: a sorted set of instance ids
-- scored by the Redis time (microseconds) until which each counts as alive. Expired ids are
-- dropped here, so an instance that stopped without saying so leaves within its own lifetime.
--
-- KEYS[1]  the set of instances
-- ARGV[1]  this instance's id
-- ARGV[2]  how long this heartbeat counts, in microseconds
-- Returns the number of live instances, this one included.

if redis.replicate_commands then redis.replicate_commands() end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local lifetime = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], string.format('%.0f', now + lifetime), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], string.format('%.0f', math.ceil(lifetime / 1000) * 2))
return redis.call('ZCARD', KEYS[1])
