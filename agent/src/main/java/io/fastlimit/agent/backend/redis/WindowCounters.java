package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.backend.SlidingWindow;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fixed and sliding windows counted by plain commands ({@code redis.fixed-window: commands}, {@code
 * redis.sliding-window: commands}): one key per bucket and window, {@code <bucket>:<window start
 * ms>}, an integer raised by {@code INCRBY cost} and kept by {@code PEXPIRE} until the window's end
 * plus {@link #GRACE_MILLIS} (a sliding window's key until the end of the next window, which reads
 * it), both sent every time, pipelined, with no script; for a sliding window an {@code MGET} of the
 * previous window's key goes with them, and of the next window's key too in the last {@link
 * #LATE_MILLIS} of a window (non-empty only for a request timed just before a window that other
 * requests have already moved to). The shape of envoy's ratelimit, at a fraction of a script's
 * Redis CPU (bench/README.md). With {@code redis.token-bucket: commands} token buckets go in the
 * same write, by their own commands ({@link TokenCounter}).
 *
 * <p>The same answers as the scripts' windows, by other means:
 *
 * <ul>
 *   <li>A charge is admitted when the count it raised is within the limit (for a sliding window:
 *       when the count before it, with the previous window's weighed by its overlap, leaves room
 *       for its cost, {@link SlidingWindow}). One that is not is taken back ({@code giveback.lua},
 *       which never makes a deleted key anew), as is every charge of a request that another of its
 *       charges blocked: counts only ever run ahead of the admitted ones for the moment in between,
 *       which can block, never admit.
 *   <li>Windows follow Redis's clock as this instance estimates it ({@link RedisTime}: sampled,
 *       carried forward by this JVM's monotonic clock), so instances switch windows within a round
 *       trip of each other whatever their own clocks say; before the first sample, by this
 *       instance's clock. Each key names its window, so a request that is late counts in its own
 *       window's key and never rolls another's back. The expiry is relative ({@code PEXPIRE}) and
 *       set by every write, so a key lives until the last instance using it reaches the window's
 *       end as long as their times are within {@link #GRACE_MILLIS} of each other.
 * </ul>
 */
final class WindowCounters {

  /** How long a window's key outlives the window by the clock of the instance that wrote last. */
  static final long GRACE_MILLIS = 2_000;

  /**
   * How close to its window's end a sliding window's charge also reads the next window's count:
   * other requests can count there already only when this request's time is behind theirs (a clock
   * read a moment earlier, an instance not yet sampling Redis's clock, by up to {@link
   * #GRACE_MILLIS}) or it was on its way for a while (up to as long again: a timeout, a GC pause).
   * Earlier in a window, nobody counts in the next.
   */
  static final long LATE_MILLIS = 2 * GRACE_MILLIS;

  private final RedisClock clock;
  private final RedisTime time;
  private final boolean fixed;
  private final boolean sliding;
  private final boolean tokens;

  /**
   * Counters for fixed windows, sliding windows, token buckets, or some of them; the scripts count
   * the others. Times by {@code time}: Redis's clock as this instance estimates it.
   */
  WindowCounters(RedisClock clock, RedisTime time, boolean fixed, boolean sliding, boolean tokens) {
    this.clock = clock;
    this.time = time;
    this.fixed = fixed;
    this.sliding = sliding;
    this.tokens = tokens;
  }

  /** The algorithms {@code settings} counts by commands, by {@code time}. */
  WindowCounters(RedisClock clock, RedisTime time, RedisConfig settings) {
    this(
        clock,
        time,
        settings.counting(Algorithm.FIXED_WINDOW) == RedisConfig.Counting.COMMANDS,
        settings.counting(Algorithm.SLIDING_WINDOW) == RedisConfig.Counting.COMMANDS,
        settings.counting(Algorithm.TOKEN_BUCKET) == RedisConfig.Counting.COMMANDS);
  }

  /** Whether token buckets are counted here (those {@link TokenCounter#exact} for it). */
  boolean countsTokens() {
    return tokens;
  }

  /** These counters with token buckets left to the scripts (a server older than Redis 6.2). */
  WindowCounters withoutTokens() {
    return new WindowCounters(clock, time, fixed, sliding, false);
  }

  /** Window counters by this instance's own clock (tests that move it by hand). */
  WindowCounters(RedisClock clock, boolean fixed, boolean sliding) {
    this(clock, new RedisTime(clock, null), fixed, sliding, false);
  }

  /** Now, by the time the windows follow: epoch ms. */
  long millis() {
    return time.millis();
  }

  /**
   * Whether these counters count {@code charge}, rather than the scripts: a token bucket's only
   * when {@link TokenCounter#exact} (else the script counts it, whatever the setting).
   */
  boolean counts(Charge charge) {
    switch (charge.algorithm()) {
      case FIXED_WINDOW:
        return fixed;
      case SLIDING_WINDOW:
        return sliding;
      case TOKEN_BUCKET:
        return tokens && TokenCounter.exact(charge);
      default:
        return false;
    }
  }

  /** The backend's clock, whose {@link RedisClock#scriptNow()} the give-back script is sent. */
  RedisClock clock() {
    return clock;
  }

  /** The key counting {@code charge}'s bucket in the window that starts at {@code start}. */
  static String key(Charge charge, long start) {
    return key(charge.key(), start);
  }

  /** The same for the bucket whose key is {@code bucketKey}. */
  static String key(String bucketKey, long start) {
    return bucketKey + ':' + start;
  }

  /** The start of the fixed window of {@code windowMillis} that {@code millis} is in. */
  static long windowStart(long millis, long windowMillis) {
    return millis - Math.floorMod(millis, windowMillis);
  }

  /** Counts sent for some charges of one request, to be awaited. */
  static final class Sent {
    final Charge[] charges;
    final String[] keys;

    /** Each charge's {@code INCRBY} (a count), or a token bucket's {@code ZINCRBY} (a score). */
    final RedisFuture<? extends Number>[] counts;

    /**
     * For a sliding window's charge, the previous window's count and, in the last {@link
     * #LATE_MILLIS} of the window, the next window's (an {@code MGET}: each null, or a number). The
     * next window counts something only when a request (another thread's later clock read, an
     * instance whose clock is ahead) has already counted there, and so read this window as its
     * previous one, before this charge raised it.
     */
    final RedisFuture<List<String>>[] around;

    final long now;

    /** The counters that sent them, whose clock dates the charges for their give-backs. */
    final WindowCounters counters;

    /** The connection they were sent on (null: not sent by {@link #submit}). */
    StatefulConnection<String, String> connection;

    @SuppressWarnings({"unchecked", "rawtypes"})
    Sent(Charge[] charges, long now, WindowCounters counters) {
      this.charges = charges;
      this.keys = new String[charges.length];
      this.counts = new RedisFuture[charges.length];
      this.around = new RedisFuture[charges.length];
      this.now = now;
      this.counters = counters;
    }

    /**
     * The key's lifetime from now: to its window's end plus the grace; a sliding window's to the
     * end of the next window, whose charges read it as the previous one.
     */
    long ttl(int i) {
      Charge charge = charges[i];
      if (charge.algorithm() == Algorithm.TOKEN_BUCKET) {
        return TokenCounter.ttl(charge);
      }
      long window = charge.windowMillis();
      long windows = charge.algorithm() == Algorithm.SLIDING_WINDOW ? 2 : 1;
      return windowStart(now, window) + windows * window - now + GRACE_MILLIS;
    }
  }

  /**
   * Sends {@code INCRBY} and {@code PEXPIRE} for each charge (and an {@code MGET} of the windows
   * around it for a sliding window's), all in one write (one read for Redis: sent one by one they
   * would cost it more than the script); returns at once.
   */
  Sent submit(StatefulConnection<String, String> connection, Charge[] charges) {
    long now = time.millis();
    Sent sent = new Sent(charges, now, this);
    sent.connection = connection;
    List<RedisCommand<String, String, ?>> batch = new ArrayList<>(3 * charges.length);
    int[] sizes = new int[charges.length];
    for (int i = 0; i < charges.length; i++) {
      Charge charge = charges[i];
      int first = batch.size();
      if (charge.algorithm() == Algorithm.TOKEN_BUCKET) {
        sent.keys[i] = TokenCounter.key(charge);
        sent.counts[i] = TokenCounter.add(batch, charge, now);
        sizes[i] = batch.size() - first;
        continue;
      }
      long start = windowStart(now, charge.windowMillis());
      sent.keys[i] = key(charge, start);
      AsyncCommand<String, String, Long> count =
          command(CommandType.INCRBY, sent.keys[i], charge.cost());
      sent.counts[i] = count;
      batch.add(count);
      // every time, not only when the key was made: no key is ever left without an expiry
      batch.add(command(CommandType.PEXPIRE, sent.keys[i], sent.ttl(i)));
      if (charge.algorithm() == Algorithm.SLIDING_WINDOW) {
        // after the INCRBY: of a request counting in the next window at the same time, one of the
        // two reads the other's count (each raises its own key before it reads the other's)
        long window = charge.windowMillis();
        CommandArgs<String, String> keys =
            new CommandArgs<>(StringCodec.UTF8).addKey(key(charge, start - window));
        if (start + window - now <= LATE_MILLIS) {
          keys.addKey(key(charge, start + window));
        }
        AsyncCommand<String, String, List<String>> around =
            new AsyncCommand<>(
                new Command<>(CommandType.MGET, new ValueListOutput<>(StringCodec.UTF8), keys));
        sent.around[i] = around;
        batch.add(around);
      }
      sizes[i] = batch.size() - first;
    }
    if (allNodesOpen(connection, charges)) {
      connection.dispatch(batch);
    } else {
      // one by one: a cluster connection routes a single command without waiting for its node's
      // connection to open (dispatch(List) waits for it on this thread, without a timeout); each
      // PEXPIRE once its INCRBY is answered, as commands waiting for a connection to open may be
      // written in any order, and a PEXPIRE before the INCRBY would leave a key without expiry;
      // after a failure too: an INCRBY that timed out here may still have reached Redis; a
      // sliding window's MGET too, which must read after the INCRBY (above); a token bucket's
      // ZINCRBY and PEXPIRE once its ZADD is answered (the refill before the charge)
      for (int i = 0, at = 0; i < charges.length; i++) {
        List<RedisCommand<String, String, ?>> after =
            new ArrayList<>(batch.subList(at + 1, at + sizes[i]));
        ((AsyncCommand<String, String, ?>) batch.get(at))
            .whenComplete(
                (answer, failure) -> {
                  for (RedisCommand<String, String, ?> each : after) {
                    connection.dispatch(each);
                  }
                });
        connection.dispatch(batch.get(at));
        at += sizes[i];
      }
    }
    return sent;
  }

  /**
   * Whether {@code dispatch(List)} can route these charges' commands without waiting: not a
   * cluster, or a cluster whose connections to the nodes of their slots are open. A cluster
   * connection's {@code dispatch(List)} gets each slot's node connection by a {@code
   * CompletableFuture.get()} with no timeout, on the caller's thread: a node not yet connected (as
   * a replica a failover just promoted) that does not answer would hold the request's thread past
   * its timeout.
   */
  private static boolean allNodesOpen(
      StatefulConnection<String, String> connection, Charge[] charges) {
    if (!(connection instanceof StatefulRedisClusterConnection)) {
      return true;
    }
    StatefulRedisClusterConnection<String, String> cluster =
        (StatefulRedisClusterConnection<String, String>) connection;
    try {
      Partitions partitions = cluster.getPartitions();
      for (Charge charge : charges) {
        RedisClusterNode node = partitions.getMasterBySlot(SlotHash.getSlot(charge.key()));
        if (node == null || node.getNodeId() == null) {
          return false;
        }
        CompletableFuture<?> open = cluster.getConnectionAsync(node.getNodeId());
        if (!open.isDone() || open.isCompletedExceptionally()) {
          return false;
        }
      }
      return true;
    } catch (RuntimeException unknownNode) {
      return false;
    }
  }

  /** {@code type key value}, answered by an integer (PEXPIRE's 0 or 1 too). */
  static AsyncCommand<String, String, Long> command(CommandType type, String key, long value) {
    return new AsyncCommand<>(
        new Command<>(
            type,
            new IntegerOutput<>(StringCodec.UTF8),
            new CommandArgs<>(StringCodec.UTF8).addKey(key).add(value)));
  }

  /**
   * Waits, until {@code deadline} by {@link System#nanoTime()}, for the counts; one outcome per
   * charge, as {@code BucketState} would answer with the count before it.
   */
  static Outcome[] await(Sent sent, long deadline)
      throws TimeoutException, InterruptedException, ExecutionException {
    Outcome[] outcomes = new Outcome[sent.charges.length];
    for (int i = 0; i < outcomes.length; i++) {
      // a sliding window's MGET, answered after its INCRBY, first: one wake-up, not two
      List<String> around = sent.around[i] == null ? null : get(sent.around[i], deadline);
      Number answer = counted(sent, i, deadline);
      if (answer == null) {
        throw new IllegalStateException("INCRBY or ZINCRBY answered nothing");
      }
      Charge charge = sent.charges[i];
      if (charge.algorithm() == Algorithm.TOKEN_BUCKET) {
        outcomes[i] = TokenCounter.outcome(charge, sent.now, answer.doubleValue());
        continue;
      }
      long count = answer.longValue();
      long window = charge.windowMillis();
      long start = windowStart(sent.now, window);
      long limit = charge.limit();
      long before = Math.max(0, count - charge.cost());
      if (around != null) {
        outcomes[i] =
            sliding(
                charge,
                sent.now,
                start,
                before,
                count(around, 0),
                around.size() > 1 ? count(around, 1) : 0);
        continue;
      }
      long resetAt = start + window;
      outcomes[i] =
          count <= limit
              ? new Outcome(true, limit - count, resetAt, 0, sent.now)
              : new Outcome(
                  false, Math.max(0, limit - before), resetAt, resetAt - sent.now, sent.now);
    }
    return outcomes;
  }

  /**
   * A sliding window's charge counted in the window that starts at {@code start}, whose count
   * before it was {@code current}. When the next window already counts {@code next}, its requests
   * have read this window's count as their previous one, in full at its start: the charge must fit
   * there too, as the memory backend and the script count a request timed before the window their
   * bucket has moved to (at that window's start). Its answer then tells when it fits there.
   */
  private static Outcome sliding(
      Charge charge, long now, long start, long current, long previous, long next) {
    long limit = charge.limit();
    long window = charge.windowMillis();
    Outcome own = SlidingWindow.decide(limit, window, charge.cost(), now, start, current, previous);
    if (next == 0 || !own.allowed()) {
      return own;
    }
    long nextStart = start + window;
    Outcome late =
        SlidingWindow.decide(limit, window, charge.cost(), nextStart, nextStart, next, current);
    if (late.allowed()) {
      // counted in its own window's key: full again when that key is no longer read
      return new Outcome(
          true, Math.min(own.remaining(), late.remaining()), own.resetAtMillis(), 0, now);
    }
    return new Outcome(
        false,
        late.remaining(),
        late.resetAtMillis(),
        late.retryAfterMillis() + nextStart - now,
        now);
  }

  /**
   * The charge's {@code INCRBY} or {@code ZINCRBY} answer. A key of another type (WRONGTYPE, left
   * by something else) holds nothing of the bucket and is deleted: the request gets the {@code
   * on-error} answer, the next one a fresh bucket. Left there, it would fail the bucket's requests
   * for as long as they come, as each renews its expiry ({@code PEXPIRE} succeeds on any type).
   */
  private static Number counted(Sent sent, int i, long deadline)
      throws TimeoutException, InterruptedException, ExecutionException {
    try {
      return get(sent.counts[i], deadline);
    } catch (ExecutionException failure) {
      Throwable cause = failure.getCause();
      String message = cause == null ? null : cause.getMessage();
      if (sent.connection != null && message != null && message.startsWith("WRONGTYPE")) {
        try {
          sent.connection.dispatch(
              new AsyncCommand<>(
                  new Command<>(
                      CommandType.DEL,
                      new IntegerOutput<>(StringCodec.UTF8),
                      new CommandArgs<>(StringCodec.UTF8).addKey(sent.keys[i]))));
        } catch (RuntimeException notSent) {
          // the connection is closing: the next request's WRONGTYPE deletes it
        }
      }
      throw failure;
    }
  }

  private static <T> T get(RedisFuture<T> pending, long deadline)
      throws TimeoutException, InterruptedException, ExecutionException {
    try {
      return pending.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      pending.cancel(false);
      throw e;
    }
  }

  /** A counter's value read by MGET; no key, or anything in it but a count, counts as nothing. */
  private static long count(List<String> values, int at) {
    String value = at < values.size() ? values.get(at) : null;
    if (value == null) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(value));
    } catch (NumberFormatException notACounter) {
      return 0;
    }
  }

  /**
   * Takes back what the request must not keep: every count when it was not admitted, else the
   * counts of charges not admitted (observe-only charges over their limit). By {@code
   * giveback.lua}, sent without waiting: it takes back only from a key that still holds the count
   * and was not reset since (a bare {@code DECRBY} would make a deleted key anew, below zero); one
   * lost leaves a count too high until its window ends, the safe side.
   */
  static void settle(
      RedisScriptingAsyncCommands<String, String> commands,
      Sent sent,
      Outcome[] outcomes,
      boolean admitted) {
    int back = 0;
    for (int i = 0; i < outcomes.length; i++) {
      back += !admitted || !outcomes[i].allowed() ? 1 : 0;
    }
    if (back == 0) {
      return;
    }
    Charge[] charges = new Charge[back];
    long[] chargedAt = new long[back];
    for (int i = 0, at = 0; i < outcomes.length; i++) {
      if (!admitted || !outcomes[i].allowed()) {
        charges[at] = sent.charges[i];
        chargedAt[at++] = sent.now;
      }
    }
    GiveBackScript.submit(commands, charges, chargedAt, sent.counters, sent.now);
  }
}
