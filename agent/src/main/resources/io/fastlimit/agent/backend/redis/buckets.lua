-- fastlimit: all charges of one request in one atomic step, for all four algorithms, with exactly
-- the integer arithmetic of io.fastlimit.agent.backend.BucketState (read that first: this is a
-- line-by-line port). One script for every algorithm because one request may charge rules of
-- different algorithms and must still be one step. A request with one charge, the common case,
-- goes to bucket.lua instead: the same arithmetic written out for one bucket, at half the Redis CPU.
--
-- KEYS[i]   bucket i
-- ARGV[1]   now in epoch ms, or "" to take Redis TIME (tests pass a fake clock here)
-- then five per bucket: algorithm (0 sliding window, 1 fixed window, 2 token bucket, 3 sliding
--           log), limit,
--           window ms, cost, observe-only (1) or enforced (0)
-- returns   four integers per bucket: allowed (1/0), remaining, reset-at ms, retry-after ms;
--           then the time the script ran at (epoch ms), which reset-at is relative to
--
-- A bucket is struct.pack('<Bddd', 16 + algorithm, a, b, c): BucketState's since, amount and
-- previousAmount as doubles, 25 bytes, unpacked by one C call (versions before it wrote the text
-- "algorithm a b c", which took ten times as long to parse and format, and which is still read, so
-- that a rolling upgrade keeps their counts; bucket.lua, the one-charge script, reads and writes
-- the same). It is written only when a charge is committed, to expire when the bucket is full
-- again: SET ... PXAT reset-at (SET then PEXPIREAT before Redis 6.2), which with Redis TIME
-- is a TTL of reset-at - now (and a test's fake now far ahead keeps its keys while it runs). An
-- expired key and a full bucket give the same answers, and recomputing the roll-over or refill
-- later gives the same state as storing it now, so blocked requests write nothing.
--
-- A sliding-log bucket (SlidingLog in Java) is the string "L" followed by 6 bytes per entry: the
-- entry's epoch ms, big-endian (2^48 ms is past the year 10000), oldest first, one entry per unit
-- of cost. One string rather than a sorted set: one GET and one SET per request whatever the
-- limit, a binary search over fixed-width entries finds the first one in the window, dropping
-- the entries that left is one string.sub, and the stored form is 6 bytes an entry (a sorted set
-- would need a unique member per entry and some 50+ bytes each). It expires, like the others,
-- when the newest entry leaves the window.
--
-- Lua numbers are doubles: every value stays an integer below 2^53 as long as
-- limit x window <= 2^51 and cost <= limit (RedisBackend.MAX_LIMIT_TIMES_WINDOW). Divisions go
-- through math.fmod, which is exact, so they round like Java's long division.

local function floor_mod(x, y)
  local r = math.fmod(x, y)
  if r < 0 then
    r = r + y
  end
  return r
end

local function floor_div(x, y)
  return (x - floor_mod(x, y)) / y
end

-- Java's x / y on longs: truncates toward zero
local function java_div(x, y)
  return (x - math.fmod(x, y)) / y
end

local function ceil_div(x, y)
  return -floor_div(-x, y)
end

-- numbers from strings by arithmetic (x + 0): one strtod each, where tonumber(x) is a call and,
-- in Redis's Lua 5.1, two strtods
local now
if ARGV[1] == '' then
  if redis.replicate_commands then
    redis.replicate_commands() -- Redis < 5: allow writes after TIME; a no-op since
  end
  local time = redis.call('TIME')
  now = time[1] * 1000 + math.floor(time[2] / 1000)
else
  now = ARGV[1] + 0
end

-- the 6-byte big-endian epoch ms of a sliding log's j-th entry (1 the oldest)
local function log_entry(log, j)
  local at = 2 + (j - 1) * 6
  local b1, b2, b3, b4, b5, b6 = string.byte(log, at, at + 5)
  return ((((b1 * 256 + b2) * 256 + b3) * 256 + b4) * 256 + b5) * 256 + b6
end

local function log_encode(t)
  local bytes = {}
  for k = 6, 1, -1 do
    bytes[k] = floor_mod(t, 256)
    t = floor_div(t, 256)
  end
  return string.char(bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6])
end

local n = #KEYS
local result = {}
local states = {}
local admitted = true

for i = 1, n do
  local arg = 1 + (i - 1) * 5
  local algorithm = ARGV[arg + 1] + 0
  local limit = ARGV[arg + 2] + 0
  local window = ARGV[arg + 3] + 0
  local cost = ARGV[arg + 4] + 0
  local observe_only = ARGV[arg + 5] == '1'

  -- a missing key, or one left by another algorithm before a reload, starts afresh (a = nil)
  local a, b, c = nil, 0, 0
  local stored = redis.call('GET', KEYS[i])
  local log = ''
  if algorithm == 3 then
    if stored and string.sub(stored, 1, 1) == 'L' then
      log = stored
    end
  elseif stored then
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
  -- more than 2 s before the bucket's latest time: the clock stepped back; start afresh rather
  -- than block the client until it catches up (bucket.lua)
  if a and now + 2000 < a then
    a, b, c = nil, 0, 0
  end
  if #log > 1 and log_entry(log, (#log - 1) / 6) > now + 2000 then
    log = ''
  end
  -- the window a fixed- or sliding-window charge counts in: now's own, or the one the bucket last
  -- counted in when now is before it (a request timed before it, reaching Redis after one that
  -- opened it), as at its start (bucket.lua)
  local start = now - floor_mod(now, window)
  if a and now < a and algorithm ~= 2 then
    start = a
  end

  local allowed, remaining, reset_at, retry_after
  if algorithm == 3 then
    -- sliding log: an entry counts while it is later than now - window
    local total = 0
    if #log > 0 then
      total = (#log - 1) / 6
    end
    local left_by = now - window
    local lo, hi = 1, total + 1 -- the first entry still in the window, by binary search
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if log_entry(log, mid) > left_by then
        hi = mid
      else
        lo = mid + 1
      end
    end
    local count = total - lo + 1
    local newest = nil
    local record_at = now
    if count > 0 then
      newest = log_entry(log, total)
      if newest > now then
        record_at = newest -- a clock that stepped back: the log stays in order
      end
    end
    allowed = count + cost <= limit
    if allowed then
      remaining = limit - count - cost
      reset_at = record_at + window
      retry_after = 0
    else
      remaining = math.max(0, limit - count)
      local must_leave = count + cost - limit
      if count > 0 then
        reset_at = newest + window
      else
        reset_at = now
      end
      if must_leave <= count then
        retry_after = log_entry(log, lo + must_leave - 1) + window - now
      elseif count > 0 then
        retry_after = reset_at - now
      else
        retry_after = window
      end
    end
    -- a = the first entry in the window, c = the time a charge is recorded at
    a, b, c = lo, 0, record_at
  elseif algorithm == 1 then
    -- fixed window
    if a ~= start then
      a = start
      b = 0
    end
    local stop = start + window
    allowed = b + cost <= limit
    if allowed then
      remaining = limit - b - cost
      retry_after = 0
    else
      remaining = limit - b
      retry_after = stop - now
    end
    reset_at = stop
  elseif algorithm == 2 then
    -- token bucket: one token = window units, each elapsed ms refills limit units
    local capacity = limit * window
    if a == nil then
      a = now
      b = capacity
    elseif now > a then
      local elapsed = math.min(now - a, window)
      b = math.min(capacity, b + elapsed * limit)
      a = now
    end
    local need = cost * window
    allowed = b >= need
    local left = b
    if allowed then
      left = b - need
      retry_after = 0
    else
      retry_after = ceil_div(need - b, limit)
    end
    remaining = java_div(left, window)
    -- from the last refill when a request timed before it comes late: full no earlier than that
    reset_at = math.max(now, a) + ceil_div(capacity - left, limit)
  else
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
    local elapsed = math.max(0, now - start)
    local capacity = limit * window
    local used = c * (window - elapsed) + b * window
    local after = used + cost * window
    allowed = after <= capacity
    local current = b
    if allowed then
      remaining = java_div(capacity - after, window)
      current = b + cost
    else
      remaining = java_div(capacity - used, window)
    end
    if current > 0 then
      reset_at = start + 2 * window
    elseif c > 0 then
      reset_at = start + window
    else
      reset_at = now
    end
    if allowed then
      retry_after = 0
    elseif b + cost <= limit then
      retry_after = start + window - java_div((limit - b - cost) * window, c) - now
    else
      retry_after = start + 2 * window - java_div((limit - cost) * window, b) - now
    end
  end

  states[i] = {algorithm, a, b, c, window, cost, reset_at, log}
  local out = 4 * (i - 1)
  result[out + 1] = allowed and 1 or 0
  result[out + 2] = remaining
  result[out + 3] = reset_at
  result[out + 4] = retry_after
  if not allowed and not observe_only then
    admitted = false
  end
end

if admitted then
  for i = 1, n do
    if result[4 * (i - 1) + 1] == 1 then
      local s = states[i]
      local value
      if s[1] == 3 then
        -- drop the entries that left, append cost entries at the charge's time
        local kept = string.sub(s[8], 2 + (s[2] - 1) * 6)
        value = 'L' .. kept .. string.rep(log_encode(s[4]), s[6])
      else
        local b = s[3]
        if s[1] == 2 then
          b = b - s[6] * s[5]
        else
          b = b + s[6]
        end
        value = struct.pack('<Bddd', 16 + s[1], s[2], b, s[4])
      end
      local at = string.format('%d', s[7])
      if redis.pcall('SET', KEYS[i], value, 'PXAT', at).err then
        redis.call('SET', KEYS[i], value) -- Redis before 6.2: no PXAT
        redis.call('PEXPIREAT', KEYS[i], at)
      end
    end
  end
end

result[4 * n + 1] = now
return result
