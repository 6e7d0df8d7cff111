-- fastlimit: the in-flight slots of one client on one rule (concurrent: N), as leases that
-- expire, so that slots held by an instance that crashed come back by themselves.
--
-- KEYS[1]   a sorted set: lease id -> expiry (epoch ms)
-- ARGV[1]   "acquire" or "release"
-- ARGV[2]   now in epoch ms, or "" to take Redis TIME (tests pass a fake clock here)
-- ARGV[3]   the lease id
-- ARGV[4]   acquire: the number of slots (N)
-- ARGV[5]   acquire: how long the lease lasts, ms
-- returns   1 when the lease was taken (acquire) or given back (release), else 0
--
-- Expired leases are dropped first, so a full set with expired leases takes a new one. The key
-- expires with its newest lease; a set left empty is deleted by Redis itself.

local now = tonumber(ARGV[2])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[1] == 'release' then
  return redis.call('ZREM', KEYS[1], ARGV[3])
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
local expiry = now + tonumber(ARGV[5])
redis.call('ZADD', KEYS[1], expiry, ARGV[3])
-- every earlier lease expires no later than this one
redis.call('PEXPIREAT', KEYS[1], expiry)
return 1
