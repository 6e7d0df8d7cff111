package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.backend.Backend;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.observe.AgentLog;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.SlotHash;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counters in Redis, shared by every instance: all charges of a request are decided by one Lua
 * script ({@code buckets.lua}, run by EVALSHA) with the memory backend's exact arithmetic and
 * Redis's clock. No request waits longer than the configured timeout; when Redis is slow or down
 * the configured {@link RedisSettings.OnError} answers instead, the connection comes back by
 * itself, and the outage and the recovery are each logged once.
 *
 * <p>In Redis Cluster the charges of a request are grouped by hash slot, one script per slot:
 * each group is atomic, the request as a whole is not. A request blocked by one group may have
 * been counted by another (it over-counts, it never admits past a limit). Keys carry the
 * client's id as a hash tag, so the charges of one client share a slot; only a request that
 * mixes a user bucket and an IP bucket spans two.
 */
public final class RedisBackend implements Backend {

  /**
   * Largest {@code limit x window-ms} a rate may have with Redis: Lua counts in doubles, exact to
   * 2^53, and the script's largest intermediate is 3 x limit x window (cost at most the limit).
   * Smaller than {@link io.fastlimit.agent.rules.Rate#MAX_LIMIT_TIMES_WINDOW}; about 70 000
   * requests per second over a window of a full year still fits.
   */
  public static final long MAX_LIMIT_TIMES_WINDOW = 1L << 51;

  /** What a request denied because Redis failed is told to wait: outages are mostly short. */
  static final long FAILURE_RETRY_AFTER_MILLIS = 1_000;

  /** Bound on buckets remembered as blocked (see {@link BlockedCache}). */
  static final int MAX_BLOCKED_KEYS = 10_000;

  static final String SCRIPT = loadScript();
  static final String SCRIPT_SHA = sha1(SCRIPT);

  private final RedisSettings settings;
  private final RedisLink link;
  private final LongSupplier testClock;
  private final String ttlSlackMillis;
  private final MemoryBackend local;
  private final BlockedCache blocked;
  /** 1 while Redis answers, 0 after an outage was reported; only transitions are logged. */
  private final AtomicInteger healthy = new AtomicInteger(1);
  /**
   * The parts of Redis that failed and have not answered since (a cluster node by its id, "" for
   * one server), with when they last failed. While a part fails, one request at a time asks it
   * (the probe) and the others get the on-error answer at once: a hung Redis or an unreachable
   * cluster node holds up one request thread per timeout instead of every one, the first answer
   * ends it, and in a cluster the other nodes are not affected.
   */
  private final ConcurrentHashMap<String, Long> failing = new ConcurrentHashMap<>();
  /** The failing parts a request is asking now. */
  private final Set<String> probing = ConcurrentHashMap.newKeySet();
  /** A part that failed and was not asked again for this long no longer keeps an outage open. */
  private static final long STALE_FAILURE_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** Scripts sent to Redis: for tests. */
  private final LongAdder scriptsSent = new LongAdder();

  private RedisBackend(RedisSettings settings, LongSupplier testClock, int maxBlockedKeys) {
    this.settings = settings;
    this.testClock = testClock;
    this.blocked = new BlockedCache(maxBlockedKeys);
    // with a fake clock, keys must not expire in real time while a test runs
    this.ttlSlackMillis = testClock == null ? "0" : "600000";
    this.local =
        settings.onError() == RedisSettings.OnError.LOCAL
            ? new MemoryBackend(
                testClock == null ? System::currentTimeMillis : testClock,
                MemoryBackend.DEFAULT_MAX_KEYS)
            : null;
    this.link =
        new RedisLink(
            settings,
            new RedisLink.Listener() {
              @Override
              public void connectFailed(Throwable failure) {
                failed(failure);
              }

              @Override
              public void connected() {
                AgentLog.info("connected to " + RedisBackend.this.settings);
                answered();
              }
            });
  }

  /**
   * A backend for these settings. Returns at once: the connection is opened in the background
   * and, until it is, requests get the on-error answer. A malformed URI throws
   * IllegalArgumentException.
   */
  public static RedisBackend connect(RedisSettings settings) {
    return connect(settings, null, MAX_BLOCKED_KEYS);
  }

  /** As {@link #connect(RedisSettings)}, with the scripts' time from {@code clock}: for tests. */
  static RedisBackend connect(RedisSettings settings, LongSupplier clock) {
    return connect(settings, clock, MAX_BLOCKED_KEYS);
  }

  /** For tests: a fake clock (null for Redis TIME) and the blocked cache's bound (0: none). */
  static RedisBackend connect(RedisSettings settings, LongSupplier clock, int maxBlockedKeys) {
    RedisBackend backend = new RedisBackend(settings, clock, maxBlockedKeys);
    backend.link.start();
    return backend;
  }

  @Override
  public Outcome[] acquire(Charge[] charges) {
    long startNanos = System.nanoTime();
    long deadline = startNanos + TimeUnit.MILLISECONDS.toNanos(settings.timeoutMillis());
    // the cache's own time: monotonic, or the fake clock of a test
    long sentNanos = testClock == null ? startNanos : testClock.getAsLong() * 1_000_000L;
    Outcome[] known = blocked.answer(charges, sentNanos, nowMillis());
    if (known != null) {
      return known;
    }
    RedisScriptingAsyncCommands<String, String> commands = link.commands();
    if (commands == null) {
      return onError(charges); // still connecting: the connector reports failures
    }
    if (!withinBounds(charges)) {
      return onError(charges);
    }
    Outcome[] outcomes;
    try {
      outcomes =
          link.cluster()
              ? runBySlot(commands, charges, deadline)
              : runAsOne(commands, charges, 0, deadline);
    } catch (TimeoutException e) {
      failed(new TimeoutException("no answer within " + settings.timeoutMillis() + "ms"));
      return onError(charges);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return onError(charges);
    } catch (ExecutionException | RuntimeException e) {
      failed(e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
      return onError(charges);
    }
    if (outcomes == null) {
      return onError(charges); // a failing part of Redis, which another request is asking
    }
    answered();
    blocked.remember(charges, outcomes, sentNanos);
    return outcomes;
  }

  /** Whether the connection is open and the last request was answered by Redis: for tests. */
  boolean sharing() {
    return link.commands() != null && healthy.get() == 1;
  }

  /** Scripts sent to Redis so far: for tests. */
  long scriptsSent() {
    return scriptsSent.sum();
  }

  /** Buckets now remembered as blocked: for tests. */
  int blockedKeys() {
    return blocked.size();
  }

  @Override
  public void close() {
    link.close();
  }

  @Override
  public String toString() {
    return "redis backend (" + settings + ")";
  }

  /** When parts of Redis failed: monotonic, or the fake clock of a test. */
  private long failureClockNanos() {
    return testClock == null ? System.nanoTime() : testClock.getAsLong() * 1_000_000L;
  }

  private long nowMillis() {
    return testClock == null ? System.currentTimeMillis() : testClock.getAsLong();
  }

  // ---- running the script

  /**
   * One script for all charges, on one server or one cluster slot: null, sending nothing, when
   * that part of Redis is failing and another request is already asking it.
   */
  private Outcome[] runAsOne(
      RedisScriptingAsyncCommands<String, String> commands,
      Charge[] charges,
      int slot,
      long deadline)
      throws TimeoutException, InterruptedException, ExecutionException {
    String part = failing.isEmpty() ? null : partOf(slot);
    boolean probe = part != null && failing.containsKey(part);
    if (probe && !probing.add(part)) {
      return null;
    }
    try {
      Outcome[] outcomes = await(commands, charges, submit(commands, charges), deadline);
      recovered(part, slot);
      return outcomes;
    } catch (TimeoutException | ExecutionException | RuntimeException e) {
      failing.put(part != null ? part : partOf(slot), failureClockNanos());
      throw e;
    } finally {
      if (probe) {
        probing.remove(part);
      }
    }
  }

  /**
   * One script per hash slot, all sent before any is awaited; null, sending nothing, when one of
   * the slots is on a failing node that another request is already asking.
   */
  private Outcome[] runBySlot(
      RedisScriptingAsyncCommands<String, String> commands, Charge[] charges, long deadline)
      throws TimeoutException, InterruptedException, ExecutionException {
    int[] slots = new int[charges.length];
    int groups = 0;
    int[] groupOf = new int[charges.length];
    int[] groupSlot = new int[charges.length];
    for (int i = 0; i < charges.length; i++) {
      slots[i] = SlotHash.getSlot(charges[i].key());
      int group = 0;
      while (group < groups && groupSlot[group] != slots[i]) {
        group++;
      }
      if (group == groups) {
        groupSlot[groups++] = slots[i];
      }
      groupOf[i] = group;
    }
    if (groups == 1) {
      return runAsOne(commands, charges, groupSlot[0], deadline);
    }
    List<String> probes = new ArrayList<>(0);
    try {
      for (int group = 0; group < groups && !failing.isEmpty(); group++) {
        String part = partOf(groupSlot[group]);
        if (failing.containsKey(part) && !probes.contains(part)) {
          if (!probing.add(part)) {
            return null;
          }
          probes.add(part);
        }
      }
      Charge[][] grouped = new Charge[groups][];
      int[][] indexes = new int[groups][];
      @SuppressWarnings({"unchecked", "rawtypes"})
      RedisFuture<List<Long>>[] pending = new RedisFuture[groups];
      for (int group = 0; group < groups; group++) {
        int size = 0;
        for (int i = 0; i < charges.length; i++) {
          size += groupOf[i] == group ? 1 : 0;
        }
        grouped[group] = new Charge[size];
        indexes[group] = new int[size];
        for (int i = 0, at = 0; i < charges.length; i++) {
          if (groupOf[i] == group) {
            grouped[group][at] = charges[i];
            indexes[group][at++] = i;
          }
        }
        pending[group] = submit(commands, grouped[group]);
      }
      Outcome[] outcomes = new Outcome[charges.length];
      for (int group = 0; group < groups; group++) {
        Outcome[] part;
        try {
          part = await(commands, grouped[group], pending[group], deadline);
        } catch (TimeoutException | ExecutionException | RuntimeException e) {
          failing.put(partOf(groupSlot[group]), failureClockNanos());
          throw e;
        }
        recovered(null, groupSlot[group]);
        for (int j = 0; j < part.length; j++) {
          outcomes[indexes[group][j]] = part[j];
        }
      }
      return outcomes;
    } finally {
      for (String part : probes) {
        probing.remove(part);
      }
    }
  }

  /** The part of Redis a slot is on: its cluster node, or "" for one server. */
  private String partOf(int slot) {
    return link.cluster() ? link.nodeOf(slot) : "";
  }

  /** A script on this slot was answered: its part (if known, else looked up) is not failing. */
  private void recovered(String part, int slot) {
    if (!failing.isEmpty()) {
      failing.remove(part != null ? part : partOf(slot));
    }
  }

  private RedisFuture<List<Long>> submit(
      RedisScriptingAsyncCommands<String, String> commands, Charge[] charges) {
    scriptsSent.increment();
    return commands.evalsha(SCRIPT_SHA, ScriptOutputType.MULTI, keys(charges), args(charges));
  }

  /** Waits for a script's answer; on NOSCRIPT (a flushed or new server) sends the script once. */
  private Outcome[] await(
      RedisScriptingAsyncCommands<String, String> commands,
      Charge[] charges,
      RedisFuture<List<Long>> pending,
      long deadline)
      throws TimeoutException, InterruptedException, ExecutionException {
    List<Long> answer;
    try {
      answer = get(pending, deadline);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof RedisNoScriptException)) {
        throw e;
      }
      // EVAL also puts the script in the server's cache for the next EVALSHA
      RedisFuture<List<Long>> retry =
          commands.eval(SCRIPT, ScriptOutputType.MULTI, keys(charges), args(charges));
      answer = get(retry, deadline);
    }
    return outcomes(answer, charges.length);
  }

  private static List<Long> get(RedisFuture<List<Long>> pending, long deadline)
      throws TimeoutException, InterruptedException, ExecutionException {
    long left = deadline - System.nanoTime();
    try {
      return pending.get(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      pending.cancel(false);
      throw e;
    }
  }

  private static String[] keys(Charge[] charges) {
    String[] keys = new String[charges.length];
    for (int i = 0; i < charges.length; i++) {
      keys[i] = charges[i].key();
    }
    return keys;
  }

  private String[] args(Charge[] charges) {
    String[] args = new String[2 + 5 * charges.length];
    args[0] = testClock == null ? "" : Long.toString(testClock.getAsLong());
    args[1] = ttlSlackMillis;
    for (int i = 0, at = 2; i < charges.length; i++) {
      Charge charge = charges[i];
      args[at++] = algorithmCode(charge);
      args[at++] = Long.toString(charge.limit());
      args[at++] = Long.toString(charge.windowMillis());
      args[at++] = Long.toString(charge.cost());
      args[at++] = charge.observeOnly() ? "1" : "0";
    }
    return args;
  }

  private static String algorithmCode(Charge charge) {
    switch (charge.algorithm()) {
      case FIXED_WINDOW:
        return "1";
      case TOKEN_BUCKET:
        return "2";
      default:
        return "0";
    }
  }

  /** Four integers per bucket, then the script's time (Redis TIME) that they are relative to. */
  private static Outcome[] outcomes(List<Long> answer, int count) {
    if (answer == null || answer.size() != 4 * count + 1) {
      throw new IllegalStateException("unexpected answer from the script: " + answer);
    }
    long decidedAt = answer.get(4 * count);
    Outcome[] outcomes = new Outcome[count];
    for (int i = 0; i < count; i++) {
      outcomes[i] =
          new Outcome(
              answer.get(4 * i) == 1L,
              answer.get(4 * i + 1),
              answer.get(4 * i + 2),
              answer.get(4 * i + 3),
              decidedAt);
    }
    return outcomes;
  }

  /** Whether the script counts these exactly; the config should never let it be false. */
  private static boolean withinBounds(Charge[] charges) {
    for (Charge charge : charges) {
      if (charge.limit() > MAX_LIMIT_TIMES_WINDOW / charge.windowMillis()
          || charge.cost() > charge.limit()) {
        AgentLog.once(
            "redis backend: a rate is too large for Redis to count exactly (limit x window-ms"
                + " above 2^51, or cost above the limit); such requests get the on-error answer",
            null);
        return false;
      }
    }
    return true;
  }

  // ---- failures

  private void failed(Throwable failure) {
    if (healthy.compareAndSet(1, 0)) {
      AgentLog.error(
          "redis backend: "
              + settings
              + " failed ("
              + describe(failure)
              + "); on-error "
              + settings.onError().name().toLowerCase(java.util.Locale.ROOT)
              + " applies until Redis answers again (logged once per outage)",
          null);
    }
  }

  /** The failure and its causes on one line: a user reads why, not a stack trace. */
  private static String describe(Throwable failure) {
    StringBuilder text = new StringBuilder(String.valueOf(failure));
    Throwable cause = failure.getCause();
    for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) {
      text.append(", caused by ").append(cause);
    }
    return text.toString();
  }

  private void answered() {
    // in a cluster with a node down, answers from the other nodes do not end the outage
    if (healthy.get() == 0 && noneFailing() && healthy.compareAndSet(0, 1)) {
      AgentLog.info("redis backend: Redis answers again; limits are shared again");
    }
  }

  /**
   * Whether no part of Redis is failing. A part that failed but was not asked again for a minute
   * (a node replaced in a failover, a slot no client uses any more) no longer counts, so that it
   * cannot hold an outage open forever and silence the next one.
   */
  private boolean noneFailing() {
    if (failing.isEmpty()) {
      return true;
    }
    long now = failureClockNanos();
    failing.values().removeIf(failedAt -> now - failedAt > STALE_FAILURE_NANOS);
    return failing.isEmpty();
  }

  /**
   * What a request gets when Redis did not answer: allow admits each charge as a fresh bucket
   * would (remaining = limit - cost, full again a window from now); deny blocks every charge for
   * {@link #FAILURE_RETRY_AFTER_MILLIS}, observe-only ones included, so dry-run shows what deny
   * would do; local counts in this instance's memory.
   */
  private Outcome[] onError(Charge[] charges) {
    if (local != null) {
      return local.acquire(charges);
    }
    long now = nowMillis();
    boolean deny = settings.onError() == RedisSettings.OnError.DENY;
    Outcome[] outcomes = new Outcome[charges.length];
    for (int i = 0; i < charges.length; i++) {
      Charge charge = charges[i];
      outcomes[i] =
          deny
              ? new Outcome(
                  false, 0, now + charge.windowMillis(), FAILURE_RETRY_AFTER_MILLIS, now)
              : new Outcome(
                  true,
                  Math.max(0, charge.limit() - charge.cost()),
                  now + charge.windowMillis(),
                  0,
                  now);
    }
    return outcomes;
  }

  // ---- the script

  private static String loadScript() {
    try (InputStream in = RedisBackend.class.getResourceAsStream("buckets.lua")) {
      if (in == null) {
        throw new IllegalStateException("buckets.lua is missing from the agent jar");
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
      }
      return new String(out.toByteArray(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read buckets.lua", e);
    }
  }

  private static String sha1(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(40);
      for (byte b : digest) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
