-- fastlimit: one charge, the common request, decided with as little Redis CPU as it takes: TIME
-- once, one GET, and one SET ... PXAT when the charge is admitted. The same arithmetic and stored
-- state as buckets.lua (the general script, for requests with several charges; read it first),
-- written out for one bucket: no tables but the answer, no functions, no observe-only flag (one
-- charge that is not admitted writes nothing whether it blocks or not).
--
-- KEYS[1]  the bucket
-- ARGV     algorithm (0 sliding window, 1 fixed window, 2 token bucket, 3 sliding log); limit;
--          window ms; then the cost, left out when 1; then now in epoch ms, left out to take
--          Redis TIME (tests pass a fake clock here, and the cost before it)
-- returns  the time it ran at (epoch ms), remaining, reset-at ms; when not admitted, retry-after
--          ms as a fourth element (three elements: admitted)
--
-- Redis's own work around a script grows with its arguments and its answer (each argument is a
-- Lua string in ARGV built per call; a table answer is searched for err, ok, double... before its
-- elements are read): about 1 100 instructions per argument and 450 per element. So the usual
-- call, cost 1 with Redis's clock, sends 3 arguments, and an admitted answer has 3 elements (this
-- script's callers before sent 5 and got 5). A new call shape means a new SHA: instances of the
-- version before call their own script beside this one, and both read and write the same state.

-- Numbers from strings by arithmetic (x + 0): one strtod each, where tonumber(x) is a call and,
-- in Redis's Lua 5.1, two strtods; TIME's microseconds converted once, not at every use
local algorithm = ARGV[1] + 0
local limit = ARGV[2] + 0
local window = ARGV[3] + 0
local cost = 1
local now = ARGV[5]
if ARGV[4] then
  cost = ARGV[4] + 0
end
if now then
  now = now + 0
else
  if redis.replicate_commands then
    redis.replicate_commands() -- Redis < 5: allow writes after TIME; a no-op since
  end
  local time = redis.call('TIME')
  local micros = time[2] + 0
  now = time[1] * 1000 + (micros - micros % 1000) / 1000
end
local key = KEYS[1]
local stored = redis.call('GET', key)

-- the epoch ms a fixed or sliding window started at; fmod is exact, and now >= 0
local start = now - math.fmod(now, window)
local value, reset_at

if algorithm == 3 then
  -- sliding log: "L" and 6 big-endian bytes of epoch ms per entry, oldest first, each read and
  -- written by one C call (struct's '>I6', the same bytes buckets.lua builds by hand)
  local log = ''
  if stored and string.byte(stored, 1) == 76 then
    log = stored
  end
  -- the newest entry more than 2 s after now: the clock stepped back (a failover to a server
  -- whose clock is behind); kept, the log would block its client until the clock caught up
  if #log > 1 and struct.unpack('>I6', log, #log - 5) > now + 2000 then
    log = ''
  end
  local total = 0
  if #log > 0 then
    total = (#log - 1) / 6
  end
  local left_by = now - window
  local lo, hi = 1, total + 1 -- the first entry still in the window, by binary search
  while lo < hi do
    local mid = (lo + hi - (lo + hi) % 2) / 2
    if struct.unpack('>I6', log, mid * 6 - 4) > left_by then
      hi = mid
    else
      lo = mid + 1
    end
  end
  local count = total - lo + 1
  local newest = now
  if count > 0 then
    newest = struct.unpack('>I6', log, total * 6 - 4)
  end
  if count + cost > limit then
    local must_leave = count + cost - limit
    local retry_after
    if must_leave <= count then
      retry_after = struct.unpack('>I6', log, (lo + must_leave - 1) * 6 - 4) + window - now
    elseif count > 0 then
      retry_after = newest + window - now
    else
      retry_after = window
    end
    if count > 0 then
      return {now, math.max(0, limit - count), newest + window, retry_after}
    end
    return {now, math.max(0, limit - count), now, retry_after}
  end
  -- a clock that stepped back records at the newest entry: the log stays in order
  local record_at = math.max(now, newest)
  local entry = struct.pack('>I6', record_at)
  if cost > 1 then
    entry = string.rep(entry, cost)
  end
  reset_at = record_at + window
  value = 'L' .. string.sub(log, lo * 6 - 4) .. entry
  local answer = {now, limit - count - cost, reset_at}
  local at = string.format('%d', reset_at)
  if redis.pcall('SET', key, value, 'PXAT', at).err then
    redis.call('SET', key, value) -- Redis before 6.2: no PXAT
    redis.call('PEXPIREAT', key, at)
  end
  return answer
end

-- the other algorithms keep three numbers a, b, c (BucketState's since, amount and
-- previousAmount): struct.pack('<Bddd', 16 + algorithm, a, b, c); this version still reads the
-- text "algorithm a b c" that versions before it wrote, and a key of another algorithm (a rule
-- whose algorithm changed) or none starts afresh (a = nil)
local a, b, c = nil, 0, 0
if stored then
  local tag = string.byte(stored, 1)
  if tag == 16 + algorithm and #stored == 25 then
    tag, a, b, c = struct.unpack('<Bddd', stored)
  elseif tag == 48 + algorithm then
    local s_a, s_b, s_c = string.match(stored, '^%d (%-?%d+) (%-?%d+) (%-?%d+)$')
    if s_a then
      a, b, c = tonumber(s_a), tonumber(s_b), tonumber(s_c)
    end
  end
end

-- a time more than 2 s before the bucket's (a window's start, the last refill): the clock stepped
-- back, and the bucket starts afresh rather than block its client until the clock caught up
if a and now + 2000 < a then
  a, b, c = nil, 0, 0
end

-- a request timed before the window the bucket last counted in (it reached Redis after one that
-- opened that window: callers' clocks, or Redis's own stepped back) counts in that window, as at
-- its start: rolled back to its own window it would wipe both windows' counts (BucketState)
if a and now < a and algorithm ~= 2 then
  start = a
end

if algorithm == 1 then
  -- fixed window
  if a ~= start then
    a = start
    b = 0
  end
  reset_at = start + window
  if b + cost > limit then
    return {now, limit - b, reset_at, reset_at - now}
  end
  value = struct.pack('<Bddd', 17, a, b + cost, c)
  local answer = {now, limit - b - cost, reset_at}
  local at = string.format('%d', reset_at)
  if redis.pcall('SET', key, value, 'PXAT', at).err then
    redis.call('SET', key, value)
    redis.call('PEXPIREAT', key, at)
  end
  return answer
elseif algorithm == 2 then
  -- token bucket: one token = window units, each elapsed ms refills limit units
  local capacity = limit * window
  if a == nil then
    a = now
    b = capacity
  elseif now > a then
    b = math.min(capacity, b + math.min(now - a, window) * limit)
    a = now
  end
  local need = cost * window
  -- ceilings of x / limit: truncated (fmod has the sign of x), then up by one if x was over
  if b < need then
    local wait = need - b
    local full = capacity - b
    local wait_over, full_over = math.fmod(wait, limit), math.fmod(full, limit)
    reset_at = math.max(now, a) + (full - full_over) / limit
    if full_over > 0 then
      reset_at = reset_at + 1
    end
    local retry_after = (wait - wait_over) / limit
    if wait_over > 0 then
      retry_after = retry_after + 1
    end
    return {now, (b - math.fmod(b, window)) / window, reset_at, retry_after}
  end
  local left = b - need
  local full = capacity - left
  local full_over = math.fmod(full, limit)
  reset_at = math.max(now, a) + (full - full_over) / limit
  if full_over > 0 then
    reset_at = reset_at + 1
  end
  value = struct.pack('<Bddd', 18, a, left, c)
  local answer = {now, (left - math.fmod(left, window)) / window, reset_at}
  local at = string.format('%d', reset_at)
  if redis.pcall('SET', key, value, 'PXAT', at).err then
    redis.call('SET', key, value)
    redis.call('PEXPIREAT', key, at)
  end
  return answer
end

-- sliding window: previous x overlap + current, everything times window
if a ~= start then
  if a == start - window then
    c = b
  else
    c = 0
  end
  b = 0
  a = start
end
local capacity = limit * window
local used = c * (window - math.max(0, now - start)) + b * window
local after = used + cost * window
if after > capacity then
  local left = capacity - used
  local retry_after
  if b + cost <= limit then
    local x = (limit - b - cost) * window
    retry_after = start + window - (x - math.fmod(x, c)) / c - now
  else
    local x = (limit - cost) * window
    retry_after = start + 2 * window - (x - math.fmod(x, b)) / b - now
  end
  if b > 0 then
    reset_at = start + 2 * window
  elseif c > 0 then
    reset_at = start + window
  else
    reset_at = now
  end
  return {now, (left - math.fmod(left, window)) / window, reset_at, retry_after}
end
local left = capacity - after
reset_at = start + 2 * window
value = struct.pack('<Bddd', 16, a, b + cost, c)
local answer = {now, (left - math.fmod(left, window)) / window, reset_at}
local at = string.format('%d', reset_at)
if redis.pcall('SET', key, value, 'PXAT', at).err then
  redis.call('SET', key, value)
  redis.call('PEXPIREAT', key, at)
end
return answer
