package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.backend.InFlightSlots;
import io.fastlimit.agent.backend.MemoryInFlightSlots;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.bootstrap.OffLoopDecision;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.security.SecureRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In-flight slots in Redis, shared by every instance: per client and rule a sorted set of lease ids
 * scored by their expiry ({@code inflight.lua}), so a crashed instance's slots come back after
 * {@link InFlightSlots#LEASE_MILLIS}. Taking a slot waits at most the Redis timeout; when Redis
 * cannot answer, {@code on-error} decides: allow admits without a slot, deny refuses, local counts
 * in this instance's memory. Giving a slot back is sent without waiting.
 */
public final class RedisInFlightSlots implements InFlightSlots {

  static final String TEXT = BucketScript.load("inflight.lua");
  static final String SHA = BucketScript.sha1(TEXT);

  /** Leases taken in local memory while Redis failed start with this; Redis leases never do. */
  private static final String LOCAL_LEASE = "L";

  private final RedisLink link;
  private final RedisConfig settings;
  private final RedisClock clock;
  private final long leaseMillis;
  private final MemoryInFlightSlots local;

  /** Unique to this instance, so leases of two instances never share an id. */
  private final String instance;

  private final AtomicLong nextLease = new AtomicLong();

  RedisInFlightSlots(RedisLink link, RedisConfig settings, RedisClock clock, long leaseMillis) {
    this.link = link;
    this.settings = settings;
    this.clock = clock;
    this.leaseMillis = leaseMillis;
    this.local =
        settings.onError() == RedisConfig.OnError.LOCAL
            ? new MemoryInFlightSlots(clock::millis, leaseMillis)
            : null;
    byte[] random = new byte[8];
    new SecureRandom().nextBytes(random);
    StringBuilder id = new StringBuilder(16);
    for (byte b : random) {
      id.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    this.instance = id.toString();
  }

  /** The slots beside a Redis backend, on its connection. */
  public static RedisInFlightSlots of(RedisBackend backend) {
    return backend.inFlightSlots();
  }

  @Override
  public String tryAcquire(String key, int limit) {
    RedisScriptingAsyncCommands<String, String> commands = link.commands();
    if (commands == null || OffLoopDecision.mustNotWait()) {
      return onError(key, limit, null); // still connecting, or an event loop that must not wait
    }
    String lease = instance + ":" + nextLease.incrementAndGet();
    String[] keys = {key};
    String[] args = {
      "acquire", clock.scriptNow(), lease, Integer.toString(limit), Long.toString(leaseMillis)
    };
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.timeoutMillis());
    try {
      Long taken;
      try {
        taken = await(commands.evalsha(SHA, ScriptOutputType.INTEGER, keys, args), deadline);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RedisNoScriptException)) {
          throw e;
        }
        taken = await(commands.eval(TEXT, ScriptOutputType.INTEGER, keys, args), deadline);
      }
      return taken != null && taken == 1L ? lease : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return onError(key, limit, e);
    } catch (TimeoutException | ExecutionException | RuntimeException e) {
      return onError(key, limit, e);
    }
  }

  private static Long await(RedisFuture<Long> pending, long deadline)
      throws InterruptedException, ExecutionException, TimeoutException {
    try {
      return pending.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      pending.cancel(false);
      throw e;
    }
  }

  private String onError(String key, int limit, Throwable failure) {
    if (failure != null) {
      AgentLog.once("Redis did not answer for in-flight slots; on-error applies", failure);
    }
    switch (settings.onError()) {
      case ALLOW:
        return NO_SLOT;
      case LOCAL:
        String lease = local.tryAcquire(key, limit);
        return lease == null ? null : LOCAL_LEASE + lease;
      default:
        return null;
    }
  }

  @Override
  public void release(String key, String lease) {
    if (lease == null || lease.isEmpty()) {
      return;
    }
    if (lease.startsWith(LOCAL_LEASE)) {
      local.release(key, lease.substring(LOCAL_LEASE.length()));
      return;
    }
    RedisScriptingAsyncCommands<String, String> commands = link.commands();
    if (commands == null) {
      return; // the lease expires by itself
    }
    String[] keys = {key};
    String[] args = {"release", clock.scriptNow(), lease};
    try {
      commands
          .<Long>evalsha(SHA, ScriptOutputType.INTEGER, keys, args)
          .whenComplete(
              (released, failure) -> {
                if (failure instanceof RedisNoScriptException
                    || (failure != null && failure.getCause() instanceof RedisNoScriptException)) {
                  commands.eval(TEXT, ScriptOutputType.INTEGER, keys, args);
                }
                // any other failure: the lease expires by itself
              });
    } catch (RuntimeException failure) {
      AgentLog.once("giving back an in-flight slot in Redis failed; it expires by itself", failure);
    }
  }
}
