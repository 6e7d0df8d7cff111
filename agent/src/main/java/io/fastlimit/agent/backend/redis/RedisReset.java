package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.backend.MemoryBackend;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Unblocking a client with Redis: one script deletes its bucket and announces the key on a pub/sub
 * channel that every instance listens to, so each drops the key from its cache of blocked clients
 * (and its on-error local counters) at once. An instance that missed the announcement asks Redis
 * again within {@link BlockedCache#TRUSTED_FOR_MILLIS} anyway.
 */
final class RedisReset {

  /** The channel of reset announcements; messages are whole bucket keys, whatever the prefix. */
  static final String CHANNEL = "fastlimit:reset";

  /**
   * What a reset leaves beside the bucket's key (in its hash slot: after the client's tag) for
   * {@code giveback.lua}: the time of the reset, so that a charge counted before it and given back
   * after it is not taken from the counts that began after it.
   */
  static final String MARK = "!reset";

  /** How long that mark stays: longer than any request stays in flight. */
  static final long MARK_MILLIS = 3_600_000L;

  /**
   * KEYS: the bucket, its mark, then any window counters of it ({@link WindowCounters}); ARGV: the
   * channel, now in epoch ms ("" for Redis TIME), the mark's lifetime in ms.
   */
  private static final String SCRIPT =
      "local now = ARGV[2]\n"
          + "if now == '' then\n"
          // Redis < 5: allow writes after TIME (a no-op since)
          + "  if redis.replicate_commands then redis.replicate_commands() end\n"
          + "  local time = redis.call('TIME')\n"
          + "  now = string.format('%d', time[1] * 1000 + math.floor(time[2] / 1000))\n"
          + "end\n"
          + "local held = redis.call('DEL', KEYS[1])\n"
          + "for i = 3, #KEYS do held = held + redis.call('DEL', KEYS[i]) end\n"
          + "redis.call('SET', KEYS[2], now, 'PX', ARGV[3])\n"
          // pcall: a user whose ACL has no channels still resets; the others learn within 1 s
          + "redis.pcall('PUBLISH', ARGV[1], KEYS[1])\n"
          + "return held";

  /** An operator waits longer than a request: this is not on the request path. */
  private static final long AT_LEAST_MILLIS = 2_000;

  private final BlockedCache blocked;
  private final MemoryBackend local;
  private final long timeoutMillis;

  RedisReset(BlockedCache blocked, MemoryBackend local, long timeoutMillis) {
    this.blocked = blocked;
    this.local = local;
    this.timeoutMillis = Math.max(AT_LEAST_MILLIS, timeoutMillis);
  }

  /**
   * Deletes the key in Redis (and these window counters of it), marks when (by {@code now}, the
   * scripts' now: "" for Redis TIME) and tells every instance; whether Redis held a counter.
   */
  boolean reset(
      RedisScriptingAsyncCommands<String, String> commands,
      String key,
      String now,
      String... windowCounters) {
    heard(key);
    if (commands == null) {
      throw new IllegalStateException("Redis is not connected; nothing was reset");
    }
    RedisFuture<Long> held =
        commands.eval(
            SCRIPT,
            ScriptOutputType.INTEGER,
            keys(key, windowCounters),
            CHANNEL,
            now,
            Long.toString(MARK_MILLIS));
    try {
      return held.get(timeoutMillis, TimeUnit.MILLISECONDS) > 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted; the reset may not have reached Redis");
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("Redis did not reset the counter: " + cause);
    }
  }

  private static String[] keys(String key, String[] windowCounters) {
    String[] keys = new String[2 + windowCounters.length];
    keys[0] = key;
    keys[1] = key + MARK;
    System.arraycopy(windowCounters, 0, keys, 2, windowCounters.length);
    return keys;
  }

  /** An announced reset, from this instance or another: forgets what this one holds of it. */
  void heard(String key) {
    blocked.forget(key);
    int open = key.lastIndexOf('{');
    if (local != null && open >= 0 && key.endsWith("}")) {
      local.reset(key.substring(0, open + 1), key.substring(open + 1, key.length() - 1));
    }
  }
}
