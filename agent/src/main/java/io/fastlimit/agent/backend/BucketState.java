package io.fastlimit.agent.backend;

import io.fastlimit.agent.rules.Algorithm;

/**
 * The state of one in-memory bucket and the exact arithmetic of all four algorithms on it. Not
 * thread-safe: the memory backend serializes access. Two phases so that several buckets can be
 * charged atomically: {@link #check} every bucket first, then {@link #commit} only if all admit.
 *
 * <p>Field use per algorithm (times in epoch milliseconds):
 *
 * <ul>
 *   <li>sliding window: {@code since} = start of the current window, {@code amount} = its count,
 *       {@code previousAmount} = the previous window's count;
 *   <li>fixed window: {@code since} = start of the current window, {@code amount} = its count;
 *   <li>token bucket: {@code since} = time of the last refill, {@code amount} = what is available
 *       in units of 1/window-ms of a token, so that the refill of {@code limit} per window is
 *       exact;
 *   <li>sliding log: the time of every counted request, oldest first; {@code amount} = entries
 *       held, {@code since} = the time a charge the last check admitted is recorded at. An entry
 *       counts while it is later than {@code now - window}, so no rolling window of the window's
 *       length ever holds more than the limit; a request of cost N is N entries at its time. Up to
 *       one entry, it is {@code previousAmount} and {@code log} is null: a client seen once costs
 *       no more than with the other algorithms. From the second, {@code log} holds them, a ring
 *       (allocated for sliding-log buckets only, so the other algorithms' buckets stay as small),
 *       and {@code previousAmount} = the oldest entry's index in its low 32 bits and the limit of
 *       the last check above them. The ring starts at the entries it must hold and doubles up to
 *       the limit (at most {@link Algorithm#SLIDING_LOG_MAX_LIMIT}): a client that sends few
 *       requests costs few entries.
 * </ul>
 *
 * <p>Integer math only, so a burst admits exactly the limit. {@code limit x window} is bounded by
 * {@link io.fastlimit.agent.rules.Rate#MAX_LIMIT_TIMES_WINDOW}, so no product overflows.
 */
class BucketState {

  private static final byte NONE = 0;

  /** How far before a bucket's latest time a request's time means the clock stepped back. */
  static final long CLOCK_STEPPED_BACK_MILLIS = 2_000;

  /** {@link #algorithm} of a sliding-log bucket. */
  private static final byte LOG = (byte) (Algorithm.SLIDING_LOG.ordinal() + 1);

  /** The last check left less than half the limit: what evicting would give away. */
  private static final byte PRESSED = 1;

  /** A request came back after the first: a flood of one-off clients never does. */
  private static final byte RETURNED = 2;

  /** The last check left less than its cost: the client's next request is refused. */
  private static final byte BLOCKING = 4;

  /**
   * The algorithm's ordinal + 1, 0 before the first check. A byte and flag bits rather than an enum
   * reference and three booleans: so the {@link #log} reference fits in the bytes they took, and a
   * bucket of the other algorithms is no bigger than before the sliding log (56 bytes with the
   * memory backend's lock fields, compressed references).
   */
  private byte algorithm;

  /** {@link #PRESSED}, {@link #RETURNED}, {@link #BLOCKING}, as of the last check. */
  private byte flags;

  /** A time: start of the current window, or of the last refill. */
  private long since;

  /** A count: requests in the current window, or token units available. */
  private long amount;

  /** The previous window's count (sliding window only). */
  private long previousAmount;

  /** The requests' times (sliding log only, from its second entry), else null. */
  private long[] log;

  /** Epoch ms at which this bucket holds its full limit again, as of the last check. */
  private long fullAtMillis;

  /**
   * Decides whether {@code cost} more fits at {@code now} without consuming it, and says what a
   * client is told: what remains after the charge (or now, when blocked), when the full limit is
   * back, and when a blocked request would be admitted.
   */
  Outcome check(Algorithm wanted, long limit, long window, long cost, long now) {
    byte flagsNow;
    if (algorithm != wanted.ordinal() + 1 || steppedBack(now)) {
      // a new bucket, its rule changed algorithm on reload, or the clock stepped back: afresh
      algorithm = (byte) (wanted.ordinal() + 1);
      since = Long.MIN_VALUE;
      amount = 0;
      previousAmount = 0;
      log = null;
      flagsNow = NONE;
    } else {
      flagsNow = RETURNED;
    }
    Outcome outcome;
    switch (wanted) {
      case FIXED_WINDOW:
        outcome = checkFixed(limit, window, cost, now);
        break;
      case TOKEN_BUCKET:
        outcome = checkToken(limit, window, cost, now);
        break;
      case SLIDING_LOG:
        outcome = checkLog(limit, window, cost, now);
        break;
      default:
        outcome = checkSliding(limit, window, cost, now);
    }
    fullAtMillis = outcome.resetAtMillis();
    if (outcome.remaining() * 2 < limit) {
      flagsNow |= PRESSED;
    }
    if (outcome.remaining() < cost) {
      flagsNow |= BLOCKING;
    }
    flags = flagsNow;
    return outcome;
  }

  /** Consumes a charge that {@link #check} just admitted. */
  void commit(long window, long cost) {
    if (algorithm == LOG) {
      commitLog(cost);
    } else if (algorithm == Algorithm.TOKEN_BUCKET.ordinal() + 1) {
      amount -= cost * window;
    } else {
      amount += cost;
    }
  }

  /**
   * Takes back a charge that {@link #commit} recorded at {@code chargedAt} (the time its check
   * ran), if this bucket still holds it: the same window (fixed), the current or previous window
   * (sliding), tokens refunded up to the capacity (token bucket), entries at that time (log).
   */
  void giveBack(Algorithm wanted, long limit, long window, long cost, long chargedAt) {
    if (algorithm != wanted.ordinal() + 1) {
      return; // started afresh since (a reload changed the algorithm): nothing of it is here
    }
    switch (wanted) {
      case SLIDING_LOG:
        removeLogEntries(cost, chargedAt);
        break;
      case TOKEN_BUCKET:
        // the refill since the charge may have been capped at the capacity (the bucket would have
        // been full without it): never refund what that refill could already have restored
        long refilled = Math.min(window, Math.max(0, since - chargedAt)) * limit;
        long refund = cost * window - refilled;
        if (refund > 0) {
          amount = Math.min(limit * window, amount + refund);
        }
        break;
      case FIXED_WINDOW:
        if (since == chargedAt - Math.floorMod(chargedAt, window)) {
          amount = Math.max(0, amount - cost);
        }
        break;
      default:
        long chargedIn = chargedAt - Math.floorMod(chargedAt, window);
        if (since == chargedIn) {
          amount = Math.max(0, amount - cost);
        } else if (since == chargedIn + window) {
          previousAmount = Math.max(0, previousAmount - cost); // it rolled into the previous
        }
    }
  }

  /**
   * Forgets every count, as if the bucket were new: an operator's reset. Returns whether it held
   * any (it had been checked).
   */
  boolean forget() {
    boolean held = algorithm != 0;
    algorithm = 0;
    flags = NONE;
    log = null;
    fullAtMillis = 0;
    return held;
  }

  /** Whether the bucket is back to its full limit at {@code now}: dropping it changes nothing. */
  boolean isIdle(long now) {
    return algorithm == 0 || fullAtMillis <= now;
  }

  /**
   * Whether this bucket refuses its client's next request (a rule charges the same cost every
   * time), as of the last check, and is not yet back to its full limit: evicting it would let that
   * request through before its retry time, which is never later than the full limit.
   */
  boolean blocksItsClient(long now) {
    return (flags & BLOCKING) != 0 && fullAtMillis > now;
  }

  /** Epoch ms at which this bucket holds its full limit again, as of the last check. */
  long fullAtMillis() {
    return fullAtMillis;
  }

  /**
   * Whether a client that keeps coming back has used more than half its limit, as of the last
   * check: forgetting this bucket would hand it that much again, so it is the last to be evicted. A
   * client seen once is not one (with a limit of 1 a single request uses it all, and that is what a
   * flood of distinct clients looks like).
   */
  boolean worthKeeping() {
    return (flags & (PRESSED | RETURNED)) == (PRESSED | RETURNED);
  }

  /**
   * Whether {@code now} is so far before this bucket's latest time (a window's start, the last
   * refill, the newest log entry) that the clock stepped back: Redis failing over to a server whose
   * clock is behind, say. A request thread's late read (what {@link #windowStart} absorbs) is
   * milliseconds behind. Kept, such a bucket would block its client until the clock caught up;
   * started afresh, it admits as a new client's would, once.
   */
  private boolean steppedBack(long now) {
    return since != Long.MIN_VALUE && now < since - CLOCK_STEPPED_BACK_MILLIS;
  }

  /**
   * The start of the window a fixed- or sliding-window charge at {@code now} counts in: now's own,
   * or the one this bucket last counted in when {@code now} is before it. A request thread reads
   * the clock before it takes the bucket's lock, so one that read it just before a window ended can
   * reach the bucket after another has opened the next window. Rolled back to its own window, it
   * would wipe both windows' counts (a client flooding a window's end could have its limit again);
   * it counts in the newer window instead, as if it came at its start.
   */
  private long windowStart(long window, long now) {
    return now < since ? since : now - Math.floorMod(now, window);
  }

  private Outcome checkFixed(long limit, long window, long cost, long now) {
    long start = windowStart(window, now);
    if (since != start) {
      since = start;
      amount = 0;
    }
    long end = start + window;
    boolean allowed = amount + cost <= limit;
    // never negative, even when a reload lowered the limit under the count
    long remaining = Math.max(0, allowed ? limit - amount - cost : limit - amount);
    return new Outcome(allowed, remaining, end, allowed ? 0 : end - now, now);
  }

  private Outcome checkSliding(long limit, long window, long cost, long now) {
    long start = windowStart(window, now);
    if (since != start) {
      // roll forward: the old window counts as the previous one only if it is adjacent
      previousAmount = since == start - window ? amount : 0;
      amount = 0;
      since = start;
    }
    return SlidingWindow.decide(limit, window, cost, now, start, amount, previousAmount);
  }

  private Outcome checkToken(long limit, long window, long cost, long now) {
    // one token = `window` units; each elapsed millisecond refills `limit` units
    long capacity = limit * window;
    if (since == Long.MIN_VALUE) {
      since = now;
      amount = capacity;
    } else if (now > since) {
      long elapsed = Math.min(now - since, window);
      amount = Math.min(capacity, amount + elapsed * limit);
      since = now;
    }
    long need = cost * window;
    boolean allowed = amount >= need;
    long left = allowed ? amount - need : amount;
    // left is as of the last refill (since), later than a stale now: full no earlier than that
    return new Outcome(
        allowed,
        left / window,
        Math.max(now, since) + ceilDiv(capacity - left, limit),
        allowed ? 0 : ceilDiv(need - amount, limit),
        now);
  }

  /**
   * Decides whether {@code cost} more entries fit at {@code now} without recording them: what
   * remains, when the log is empty again (the full limit back) and, when blocked, when enough of
   * the oldest entries have left for the cost to fit.
   */
  private Outcome checkLog(long limit, long window, long cost, long now) {
    long leftBy = now - window; // entries at or before this have left the window
    long count = amount;
    if (log == null) {
      if (count > 0 && previousAmount <= leftBy) {
        count = 0; // the only entry left
      }
    } else {
      int oldest = (int) previousAmount;
      while (count > 0 && log[oldest] <= leftBy) {
        oldest = oldest + 1 == log.length ? 0 : oldest + 1;
        count--;
      }
      previousAmount = limit << 32 | oldest;
    }
    amount = count;
    long newest = count > 0 ? logEntry((int) count - 1) : Long.MIN_VALUE;
    // a clock that stepped back must not put an entry before the newest: the log stays in order
    since = Math.max(now, newest);
    boolean allowed = count + cost <= limit;
    if (allowed) {
      return new Outcome(true, limit - count - cost, since + window, 0, now);
    }
    long fullAt = count > 0 ? newest + window : now;
    long mustLeave = count + cost - limit;
    long retryAt =
        mustLeave <= count
            ? logEntry((int) mustLeave - 1) + window // when the last of those that must leave does
            : count > 0 ? fullAt : now + window; // a cost above the limit never fits
    return new Outcome(false, Math.max(0, limit - count), fullAt, retryAt - now, now);
  }

  /** Records a charge that {@link #checkLog} just admitted: {@code cost} entries at its time. */
  private void commitLog(long cost) {
    long count = amount;
    if (log == null && count + cost <= 1) {
      if (cost > 0) {
        previousAmount = since; // the only entry: no ring yet
      }
      amount = count + cost;
      return;
    }
    int capacity = log == null ? 1 : log.length;
    if (count + cost > capacity) {
      // from one entry the ring takes what it must hold (at most the limit, as the check admitted
      // it); later it doubles, up to the limit of the last check
      long limit = log == null ? count + cost : previousAmount >>> 32;
      long[] bigger = new long[(int) Math.max(count + cost, Math.min(2L * capacity, limit))];
      for (int i = 0; i < count; i++) {
        bigger[i] = logEntry(i);
      }
      log = bigger;
      previousAmount = limit << 32; // the oldest is at 0
    }
    int at = (int) previousAmount + (int) count;
    for (long i = 0; i < cost; i++) {
      log[at >= log.length ? at - log.length : at] = since;
      at++;
    }
    amount = count + cost;
  }

  /**
   * Removes up to {@code cost} entries recorded at exactly {@code at}, newest first: an admitted
   * request given back. Entries of the same millisecond are interchangeable; entries at other times
   * are another request's and stay (an entry that already left the window is not found).
   */
  private void removeLogEntries(long cost, long at) {
    int count = (int) amount;
    long removed = 0;
    for (int index = count - 1; index >= 0 && removed < cost; index--) {
      long time = logEntry(index);
      if (time < at) {
        break; // older entries are older requests
      }
      if (time == at) {
        for (int j = index; j < count - 1; j++) { // shift the newer entries down over this one
          setLogEntry(j, logEntry(j + 1));
        }
        count--;
        removed++;
      }
    }
    amount = count;
  }

  private void setLogEntry(int index, long time) {
    if (log == null) {
      previousAmount = time; // the only entry
      return;
    }
    int at = (int) previousAmount + index;
    log[at >= log.length ? at - log.length : at] = time;
  }

  /** The {@code index}-th entry of the log, 0 the oldest. */
  private long logEntry(int index) {
    if (log == null) {
      return previousAmount; // the only entry
    }
    int at = (int) previousAmount + index;
    return log[at >= log.length ? at - log.length : at];
  }

  private static long ceilDiv(long x, long y) {
    return -Math.floorDiv(-x, y);
  }
}
