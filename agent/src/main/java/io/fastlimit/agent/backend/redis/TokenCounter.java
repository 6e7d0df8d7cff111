package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Outcome;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.DoubleOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.util.List;

/**
 * A token bucket counted by plain commands ({@code redis.token-bucket: commands}), no script: the
 * bucket is its theoretical arrival time (GCRA's), the score of member {@link #member} of a sorted
 * set at {@code <bucket>:t}, raised to now by {@code ZADD GT} and by the charge's cost by {@code
 * ZINCRBY}, and kept by {@code PEXPIRE} until the bucket is full again; the three pipelined with
 * the window counters' commands, in one write ({@link WindowCounters}).
 *
 * <p>A give-back (a blocked charge, or one of a request another bucket blocked, or a {@code count:
 * failures} success) must not give back what a later refill already absorbed: another request's
 * {@code ZADD GT} between this charge and its give-back may have found the score below now but for
 * this charge. The sorted set's second member, {@code f<units>}, keeps the latest floor applied,
 * and {@code giveback.lua} refunds the charge less the time from its own floor to that latest one
 * (in units): exact when no later request came, safe whatever the order.
 *
 * <p>The memory backend's token bucket in other words ({@code BucketState}): one token is {@link
 * #perToken} units, each millisecond refills {@link #perMilli} (the rule's limit and window over
 * their greatest common divisor), and the capacity is the window's refill. The score is {@code now
 * x perMilli} plus what the bucket lacks of its capacity (its debt): {@code ZADD GT} is the refill
 * (a debt never below none), {@code ZINCRBY} the charge, whose answer is the debt after it. The
 * charge is admitted when that debt is within the capacity; one that is not is given back ({@code
 * giveback.lua}), as the window counters' are.
 *
 * <p>Concurrent charges: each request's {@code ZADD} and {@code ZINCRBY} may have another's in
 * between. Every order gives a score at least the one of the two requests one after the other:
 * counts only ever run ahead, by at most the refill between the two requests' clock reads (a bucket
 * that was full when both came). {@code ZINCRBY} adds whole units to a double: exact while scores
 * stay below 2^53, which {@link #exact} asks of a rule until the year 2200 (a rule whose limit and
 * window share few factors, as 1009 per second, keeps the script).
 *
 * <p>Needs Redis 6.2 or later ({@code ZADD GT}): the backend asks the server's version at each
 * connect and leaves token buckets to the script on an older one (logged once).
 */
final class TokenCounter {

  /**
   * The sorted set's member for the charge's units: {@code t} and the units refilled per ms. A
   * score means nothing in other units, and the key is the rule's name and client, not its rate: a
   * reload (or a rolling deploy) that changes the units would read a score in units that refill
   * several times faster as a debt of centuries, a bucket blocked for as long as its client keeps
   * asking (each charge renews the key's expiry). A bucket whose units changed starts afresh in its
   * own member, as the memory backend's does when a reload changes its algorithm; the old member
   * goes with the key.
   */
  static String member(Charge charge) {
    return "t" + perMilli(charge);
  }

  /** The epoch ms (2200-01-01) until which {@link #exact} rules' scores stay exact. */
  static final long EXACT_UNTIL_MILLIS = 7_258_118_400_000L;

  private static final long EXACT = 1L << 53;

  private TokenCounter() {}

  /** The key of {@code charge}'s bucket. */
  static String key(Charge charge) {
    return key(charge.key());
  }

  /** The key of the bucket whose script key is {@code bucketKey}. */
  static String key(String bucketKey) {
    return bucketKey + ":t";
  }

  /** Units the bucket refills per millisecond. */
  static long perMilli(Charge charge) {
    return charge.limit() / gcd(charge.limit(), charge.windowMillis());
  }

  /** Units of one token. */
  static long perToken(Charge charge) {
    return charge.windowMillis() / gcd(charge.limit(), charge.windowMillis());
  }

  /**
   * Whether every score of the charge's bucket is an exact double until {@link
   * #EXACT_UNTIL_MILLIS}: at most {@code (now + 2 x window) x perMilli} (the debt is at most the
   * capacity, one window of refill, plus a blocked charge's cost, at most the limit).
   */
  static boolean exact(Charge charge) {
    long window = charge.windowMillis();
    return window <= EXACT / 4 && perMilli(charge) < EXACT / (EXACT_UNTIL_MILLIS + 2 * window);
  }

  /**
   * Adds the charge's commands to {@code batch} ({@code ZADD GT}, {@code ZINCRBY}, {@code PEXPIRE},
   * in that order) at {@code now}; returns the {@code ZINCRBY}, answered by the score.
   */
  static AsyncCommand<String, String, Double> add(
      List<RedisCommand<String, String, ?>> batch, Charge charge, long now) {
    String key = key(charge);
    // the units once per charge: one gcd, one member name each
    long common = gcd(charge.limit(), charge.windowMillis());
    long perMilli = charge.limit() / common;
    String units = Long.toString(perMilli);
    String member = "t" + units;
    long floor = now * perMilli;
    // the refill (the score raised to now), and f<units>, the latest refill time any charge applied
    // (the greatest floor), which a give-back reads: what a later refill can have absorbed of a
    // charge is at most the time from that charge's floor to it
    batch.add(
        new AsyncCommand<>(
            new Command<>(
                CommandType.ZADD,
                new IntegerOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8)
                    .addKey(key)
                    .add("GT")
                    .add(floor)
                    .addValue(member)
                    .add(floor)
                    .addValue("f" + units))));
    AsyncCommand<String, String, Double> score =
        new AsyncCommand<>(
            new Command<>(
                CommandType.ZINCRBY,
                new DoubleOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8)
                    .addKey(key)
                    .add(charge.cost() * (charge.windowMillis() / common))
                    .addValue(member)));
    batch.add(score);
    batch.add(WindowCounters.command(CommandType.PEXPIRE, key, ttl(charge)));
    return score;
  }

  /**
   * The key's lifetime from a charge: until a debt of the capacity and this charge's cost is
   * refilled (the bucket full again, when its key holds nothing a fresh bucket does not), plus the
   * window counters' grace for instances whose times differ a little.
   */
  static long ttl(Charge charge) {
    long window = charge.windowMillis();
    return window + ceilDiv(charge.cost() * window, charge.limit()) + WindowCounters.GRACE_MILLIS;
  }

  /**
   * The outcome of a charge at {@code now} whose {@code ZINCRBY} answered {@code score}, as {@code
   * BucketState} would answer with the bucket's debt before it.
   */
  static Outcome outcome(Charge charge, long now, double score) {
    long common = gcd(charge.limit(), charge.windowMillis());
    long perMilli = charge.limit() / common;
    long perToken = charge.windowMillis() / common;
    long capacity = charge.windowMillis() * perMilli;
    long need = charge.cost() * perToken;
    long after = Math.round(score) - now * perMilli;
    if (after <= capacity) {
      long owed = Math.max(0, after);
      return new Outcome(true, (capacity - owed) / perToken, now + ceilDiv(owed, perMilli), 0, now);
    }
    long before = Math.max(0, after - need);
    long available = Math.max(0, capacity - before);
    return new Outcome(
        false,
        available / perToken,
        now + ceilDiv(Math.min(before, capacity), perMilli),
        ceilDiv(need - available, perMilli),
        now);
  }

  /**
   * The server's version when {@code INFO server}'s answer names one before 6.2 (no {@code ZADD
   * GT}), else null (6.2 or later, or no version found: the commands are tried).
   */
  static String tooOld(String info) {
    if (info == null) {
      return null;
    }
    int at = info.indexOf("redis_version:");
    if (at < 0) {
      return null;
    }
    int from = at + "redis_version:".length();
    int to = from;
    while (to < info.length() && info.charAt(to) > ' ') {
      to++;
    }
    String version = info.substring(from, to);
    String[] parts = version.split("\\.");
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return major < 6 || (major == 6 && minor < 2) ? version : null;
    } catch (NumberFormatException notANumber) {
      return null;
    }
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long r = a % b;
      a = b;
      b = r;
    }
    return a;
  }

  private static long ceilDiv(long x, long y) {
    return -Math.floorDiv(-x, y);
  }
}
