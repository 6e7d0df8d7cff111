-- fastlimit: gives back charges that buckets.lua admitted, for count: failures (an admitted
-- request that did not fail keeps nothing). The same state as buckets.lua and BucketState.giveBack
-- (read those first); one key at a time, each atomic against the charges of other requests.
--
-- KEYS[i]   bucket i, for i = 1 .. n; KEYS[n + i] its reset mark (RedisReset): the epoch ms an
--           operator last reset it, or no key
-- ARGV      five per bucket: algorithm (0 sliding window, 1 fixed window, 2 token bucket,
--           3 sliding log, 4 a window's counter of WindowCounters, fixed or sliding: KEYS[i] is
--           then the key of the window the charge counted in, an integer; 5 a token bucket's
--           counter of TokenCounter: KEYS[i] is then its sorted set), limit, window ms, cost,
--           charged-at (the epoch ms buckets.lua returned as the time it ran: Redis TIME); for 4
--           and 5, the ms since the charge by the instance's clock instead, and for 5 limit,
--           window and cost are the units it refills per ms, the charge's floor and its cost, in
--           units. Then now in epoch ms, or "" to take Redis TIME (only read for 4 and 5; tests
--           pass a fake clock here)
-- returns   the number of buckets that gave something back
--
-- A window counter's charge is dated by the instance's clock, which is not Redis's: it is placed
-- in Redis's time as now minus the time since it, and given back only when that is more than
-- COUNTER_MARGIN ms after a reset (a charge that close to a reset keeps its count: the safe side).
-- The same call takes back what a blocked request counted (the ms since it are then about 0).
--
-- A key that expired, or was written by another algorithm since, holds nothing of the charge.
-- The TTL is kept: a bucket with less in it is full again no later than before.

local function floor_mod(x, y)
  local r = math.fmod(x, y)
  if r < 0 then
    r = r + y
  end
  return r
end

local function log_entry(log, j)
  local at = 2 + (j - 1) * 6
  local b1, b2, b3, b4, b5, b6 = string.byte(log, at, at + 5)
  return ((((b1 * 256 + b2) * 256 + b3) * 256 + b4) * 256 + b5) * 256 + b6
end

local function keep_ttl_set(key, value)
  local ttl = redis.call('PTTL', key)
  redis.call('SET', key, value)
  if ttl > 0 then
    redis.call('PEXPIRE', key, ttl)
  end
end

local COUNTER_MARGIN = 1000

local given = 0
local n = #KEYS / 2
local now = nil
for i = 1, n do
  local arg = (i - 1) * 5
  local algorithm = tonumber(ARGV[arg + 1])
  local limit = tonumber(ARGV[arg + 2])
  local window = tonumber(ARGV[arg + 3])
  local cost = tonumber(ARGV[arg + 4])
  local charged_at = tonumber(ARGV[arg + 5])
  local since = charged_at
  -- a charge counted before the bucket was reset is not in it: what it holds began after the reset
  local reset_at = redis.call('GET', KEYS[n + i])
  if reset_at and algorithm >= 4 then
    if not now then
      now = ARGV[5 * n + 1]
      if now and now ~= '' then
        now = tonumber(now)
      else
        if redis.replicate_commands then
          redis.replicate_commands() -- Redis < 5: allow writes after TIME; a no-op since
        end
        local time = redis.call('TIME')
        now = time[1] * 1000 + math.floor(time[2] / 1000)
      end
    end
    charged_at = now - charged_at - COUNTER_MARGIN
  end
  local stored = nil
  local after_reset = not reset_at or charged_at > tonumber(reset_at)
  if after_reset and algorithm ~= 5 then
    stored = redis.call('GET', KEYS[i])
  end
  if algorithm == 5 then
    -- a token bucket's counter (TokenCounter; its members named by its units, ARGV limit): its
    -- score less the charge (ARGV cost, in units), less what a later refill absorbed, at most the
    -- time from the charge's floor (ARGV window, in units) to the latest floor any charge applied
    -- (member f); a key that expired held nothing of the charge, and is not made anew
    local member = 't' .. ARGV[arg + 2]
    local latest = after_reset and redis.call('ZSCORE', KEYS[i], 'f' .. ARGV[arg + 2])
    local refund
    if latest then
      refund = cost - math.max(0, tonumber(latest) - window)
    else
      refund = cost - since * limit -- no latest floor held: the refill since, the safe side
    end
    if after_reset and refund > 0 and redis.call('ZSCORE', KEYS[i], member) then
      redis.call('ZINCRBY', KEYS[i], string.format('%d', -refund), member)
      given = given + 1
    end
  elseif algorithm == 4 then
    -- a window's counter: DECRBY keeps its TTL; a key that expired (or was lost) held nothing of
    -- the charge, and is not made anew
    local held = stored and tonumber(stored)
    if held and held > 0 then
      redis.call('DECRBY', KEYS[i], math.min(cost, held))
      given = given + 1
    end
  elseif stored and algorithm == 3 and string.sub(stored, 1, 1) == 'L' then
    -- remove up to cost entries at exactly charged_at, newest first; older entries stop the search
    local total = (#stored - 1) / 6
    local removed = 0
    local j = total
    local cut = {}
    while j >= 1 and removed < cost do
      local t = log_entry(stored, j)
      if t < charged_at then
        break
      end
      if t == charged_at then
        cut[j] = true
        removed = removed + 1
      end
      j = j - 1
    end
    if removed > 0 then
      local parts = {'L'}
      for k = 1, total do
        if not cut[k] then
          parts[#parts + 1] = string.sub(stored, 2 + (k - 1) * 6, 1 + k * 6)
        end
      end
      if #parts == 1 then
        redis.call('DEL', KEYS[i])
      else
        keep_ttl_set(KEYS[i], table.concat(parts))
      end
      given = given + 1
    end
  elseif stored and algorithm ~= 3 then
    -- struct.pack('<Bddd', 16 + algorithm, a, b, c) as buckets.lua writes it, or the text
    -- "algorithm a b c" of versions before it
    local tag, a, b, c = string.byte(stored, 1), nil, 0, 0
    if tag == 16 + algorithm and #stored == 25 then
      tag, a, b, c = struct.unpack('<Bddd', stored)
    elseif tag == 48 + algorithm then
      local s_a, s_b, s_c = string.match(stored, '^%d (%-?%d+) (%-?%d+) (%-?%d+)$')
      if s_a then
        a, b, c = tonumber(s_a), tonumber(s_b), tonumber(s_c)
      end
    end
    if a then
      local start = charged_at - floor_mod(charged_at, window)
      local changed = false
      if algorithm == 2 then
        -- never refund what the refill since the charge (a = last refill) could have restored
        local refund = cost * window - math.min(window, math.max(0, a - charged_at)) * limit
        if refund > 0 then
          b = math.min(limit * window, b + refund)
          changed = true
        end
      elseif a == start then
        b = math.max(0, b - cost)
        changed = true
      elseif algorithm == 0 and a == start + window then
        c = math.max(0, c - cost) -- rolled into the previous window
        changed = true
      end
      if changed then
        keep_ttl_set(KEYS[i], struct.pack('<Bddd', 16 + algorithm, a, b, c))
        given = given + 1
      end
    end
  end
end
return given
