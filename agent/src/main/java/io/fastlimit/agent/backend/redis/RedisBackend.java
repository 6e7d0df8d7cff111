package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.backend.Backend;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.bootstrap.OffLoopDecision;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Counters in Redis, shared by every instance: all charges of a request are decided by one Lua
 * script ({@code buckets.lua}, run by EVALSHA) with the memory backend's exact arithmetic and
 * Redis's clock. No request waits longer than the configured timeout; when Redis is slow or down
 * the configured {@link RedisConfig.OnError} answers instead, the connection comes back by itself,
 * and the outage and the recovery are each logged once.
 *
 * <p>In Redis Cluster the charges of a request are grouped by hash slot, one script per slot: each
 * group is atomic, the request as a whole is not. A request blocked by one group may have been
 * counted by another (it over-counts, it never admits past a limit). Keys carry the client's id as
 * a hash tag, so the charges of one client share a slot; only a request that mixes a user bucket
 * and an IP bucket spans two.
 */
public final class RedisBackend implements Backend {

  /** What a request denied because Redis failed is told to wait: outages are mostly short. */
  static final long FAILURE_RETRY_AFTER_MILLIS = 1_000;

  /** Bound on buckets remembered as blocked (see {@link BlockedCache}). */
  static final int MAX_BLOCKED_KEYS = 10_000;

  private final RedisConfig settings;
  private final RedisClock clock;
  private final RedisLink link;
  private final BucketScript script;

  /** Windows counted by plain commands ({@code redis.fixed-window|sliding-window: commands}). */
  private volatile WindowCounters counters;

  /** Redis's clock as estimated here: the window counters' time. */
  private final RedisTime time;

  private final OutageTracker outages;
  private final MemoryBackend local;
  private final BlockedCache blocked;
  private final RedisReset resets;

  private RedisBackend(
      RedisConfig settings, RedisClock clock, BlockedCache blocked, RedisTime.Sampler sampler) {
    this.settings = settings;
    this.clock = clock;
    this.blocked = blocked;
    this.script = new BucketScript(clock);
    boolean counting = settings.countsByCommands();
    // only the counters follow Redis's time as sampled here: no samples without them
    this.time = new RedisTime(clock, counting ? sampler : null);
    this.counters = counting ? new WindowCounters(clock, time, settings) : null;
    this.outages = new OutageTracker(settings, clock);
    this.local =
        settings.onError() == RedisConfig.OnError.LOCAL
            ? new MemoryBackend(clock::millis, MemoryBackend.DEFAULT_MAX_KEYS)
            : null;
    this.link =
        new RedisLink(
            settings,
            new RedisLink.Listener() {
              @Override
              public void connectFailed(Throwable failure) {
                outages.failed(failure);
              }

              @Override
              public void connected() {
                AgentLog.info("connected to " + RedisBackend.this.settings);
                outages.answered();
                // the window counters' time: from the first request on this connection
                sampleTime();
                checkTokenCounters();
              }
            });
    this.resets = new RedisReset(blocked, local, settings.timeoutMillis());
    link.subscribe(RedisReset.CHANNEL, resets::heard);
  }

  /**
   * A backend for these settings. Returns at once: the connection is opened in the background and,
   * until it is, requests get the on-error answer. A malformed URI throws IllegalArgumentException.
   */
  public static RedisBackend connect(RedisConfig settings) {
    return connect(
        settings, RedisClock.SYSTEM, new BlockedCache(MAX_BLOCKED_KEYS), RedisTime.Sampler.TIME);
  }

  /**
   * As {@link #connect(RedisConfig)}, by this clock and with this cache of blocked buckets; window
   * counters by this clock alone (no sample of Redis's).
   */
  static RedisBackend connect(RedisConfig settings, RedisClock clock, BlockedCache blocked) {
    return connect(settings, clock, blocked, null);
  }

  /** The same, with window counters by Redis's time as {@code sampler} tells it (null: none). */
  static RedisBackend connect(
      RedisConfig settings, RedisClock clock, BlockedCache blocked, RedisTime.Sampler sampler) {
    RedisBackend backend = new RedisBackend(settings, clock, blocked, sampler);
    backend.link.start();
    if (backend.counters != null && sampler != null) {
      backend.link.every(RedisTime.SAMPLE_EVERY_MILLIS, backend::sampleTime);
      // a reconnect (a restart, a failover) may reach a server with another clock
      backend.link.afterEachConnect(
          RedisTime.AFTER_RECONNECT_MILLIS,
          () -> backend.time.sampleAfterConnect(backend.link.connection()));
    }
    return backend;
  }

  /** Samples Redis's time now: at connect, after each reconnect, every 10 s (and by tests). */
  void sampleTime() {
    time.sample(link.connection());
  }

  /**
   * With {@code redis.token-bucket: commands}, asks the server its version (at each connect: a
   * failover may reach an older one): before 6.2 it refuses {@code ZADD GT}, and token buckets are
   * left to the script from then on (logged once), rather than each answered by on-error. The
   * decisions sent before the answer are refused by such a server, and answered by on-error.
   */
  private void checkTokenCounters() {
    WindowCounters now = counters;
    RedisClusterAsyncCommands<String, String> commands = link.commands();
    if (now == null || !now.countsTokens() || commands == null) {
      return;
    }
    commands
        .info("server")
        .whenComplete(
            (info, failure) -> {
              String version = TokenCounter.tooOld(info);
              if (version != null) {
                leaveTokensToTheScript(version);
              }
            });
  }

  /** Token buckets by the script from now on: the server, at {@code version}, has no ZADD GT. */
  void leaveTokensToTheScript(String version) {
    WindowCounters now = counters;
    if (now != null && now.countsTokens()) {
      counters = now.withoutTokens();
      AgentLog.once(
          "redis backend: redis.token-bucket: commands needs Redis 6.2 or later (ZADD GT); this"
              + " server is "
              + version
              + ", so token buckets are counted by the script",
          null);
    }
  }

  /** Redis's time as the window counters estimate it. */
  RedisTime time() {
    return time;
  }

  @Override
  public Outcome[] acquire(Charge[] charges) {
    // waits for Redis are real time whatever the clock: Lettuce's futures wait in real time
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.timeoutMillis());
    long sentNanos = clock.nanos();
    Outcome[] known = blocked.answer(charges, sentNanos, clock.millis());
    if (known != null) {
      return known;
    }
    RedisClusterAsyncCommands<String, String> commands = link.commands();
    StatefulConnection<String, String> connection = counters == null ? null : link.connection();
    if (commands == null || (counters != null && connection == null)) {
      return onError(charges); // still connecting: the connector reports failures
    }
    if (OffLoopDecision.mustNotWait()) {
      return onError(charges); // an event loop, its decision workers saturated: never wait there
    }
    if (!withinBounds(charges)) {
      return onError(charges);
    }
    Outcome[] outcomes;
    try {
      outcomes =
          link.cluster()
              ? runBySlot(commands, connection, charges, deadline)
              : runAsOne(commands, connection, charges, 0, deadline);
    } catch (TimeoutException e) {
      outages.failed(new TimeoutException("no answer within " + settings.timeoutMillis() + "ms"));
      return onError(charges);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return onError(charges);
    } catch (ExecutionException | RuntimeException e) {
      outages.failed(e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
      return onError(charges);
    }
    if (outcomes == null) {
      return onError(charges); // a failing part of Redis, which another request is asking
    }
    blocked.remember(charges, outcomes, sentNanos);
    return outcomes;
  }

  /**
   * Sends {@code giveback.lua} and returns without waiting: a request never waits on its way out.
   * The charges are ones Redis counted: the limiter gives back only {@link Outcome#counted()} ones,
   * never what {@code on-error} or the memory of blocks answered. Nothing is sent while Redis is
   * failing, and a give-back lost to a failure leaves the charge counted: the safe side.
   */
  @Override
  public void giveBack(Charge[] charges, long[] chargedAtMillis) {
    RedisClusterAsyncCommands<String, String> commands = link.commands();
    if (commands == null || charges.length == 0 || outages.anyFailing()) {
      return;
    }
    try {
      if (!link.cluster() || charges.length == 1) {
        GiveBackScript.submit(commands, charges, chargedAtMillis, counters);
        return;
      }
      // one script per key: the keys of one request may sit in different slots
      for (int i = 0; i < charges.length; i++) {
        GiveBackScript.submit(
            commands, new Charge[] {charges[i]}, new long[] {chargedAtMillis[i]}, counters);
      }
    } catch (RuntimeException failure) {
      AgentLog.once("redis backend: giving back a charge failed; it stays counted", failure);
    }
  }

  /**
   * Gives back to this instance's memory what {@code on-error: local} counted there: a success
   * answered while Redis failed, which would otherwise stay counted there until its window ends.
   */
  @Override
  public void giveBackToFallback(Charge[] charges, long[] chargedAtMillis) {
    if (local != null) {
      local.giveBack(charges, chargedAtMillis);
    }
  }

  @Override
  public boolean reset(String keyStart, String client) {
    return reset(keyStart, client, 0);
  }

  /**
   * As {@link #reset(String, String)}; with counters ({@code redis.fixed-window: commands}, {@code
   * sliding-window} or {@code token-bucket}) it also deletes the bucket's token counter and its
   * window counters of the windows around now (the one before and after too, for instances whose
   * clocks are a little off).
   */
  @Override
  public boolean reset(String keyStart, String client, long windowMillis) {
    String key = keyStart + client + '}';
    if (counters == null) {
      return resets.reset(link.commands(), key, clock.scriptNow());
    }
    if (windowMillis <= 0) {
      return resets.reset(link.commands(), key, clock.scriptNow(), TokenCounter.key(key));
    }
    long start = WindowCounters.windowStart(counters.millis(), windowMillis);
    return resets.reset(
        link.commands(),
        key,
        clock.scriptNow(),
        TokenCounter.key(key),
        WindowCounters.key(key, start - windowMillis),
        WindowCounters.key(key, start),
        WindowCounters.key(key, start + windowMillis));
  }

  @Override
  public void close() {
    link.close();
  }

  /** In-flight slots on this backend's connection, clock and on-error (issue 14). */
  RedisInFlightSlots inFlightSlots() {
    return new RedisInFlightSlots(link, settings, clock, settings.inFlightLeaseMillis());
  }

  @Override
  public String toString() {
    return "redis backend (" + settings + ")";
  }

  // ---- running the script

  /**
   * One script for all charges, on one server or one cluster slot: null, sending nothing, when that
   * part of Redis is failing and another request is already asking it. Its answer ends an outage,
   * unless Redis failed after the script was sent.
   */
  private Outcome[] runAsOne(
      RedisClusterAsyncCommands<String, String> commands,
      StatefulConnection<String, String> connection,
      Charge[] charges,
      int slot,
      long deadline)
      throws TimeoutException, InterruptedException, ExecutionException {
    String part = outages.anyFailing() ? partOf(slot) : null;
    boolean probe = part != null && outages.failing(part);
    if (probe && !outages.startProbe(part)) {
      return null;
    }
    try {
      // read as the script is sent, not as the request began: one that began before the last
      // failure and became the probe since asks Redis after it
      long sentNanos = clock.nanos();
      Outcome[] outcomes =
          GroupDecision.submit(commands, connection, script, counters, charges).await(deadline);
      recovered(part, slot, sentNanos);
      outages.answered(sentNanos);
      return outcomes;
    } catch (TimeoutException | ExecutionException | RuntimeException e) {
      outages.partFailed(part != null ? part : partOf(slot));
      throw e;
    } finally {
      if (probe) {
        outages.endProbe(part);
      }
    }
  }

  /**
   * One script per hash slot, all sent before any is awaited; null, sending nothing, when one of
   * the slots is on a failing node that another request is already asking. Their answers end an
   * outage, unless Redis failed after they were sent.
   */
  private Outcome[] runBySlot(
      RedisClusterAsyncCommands<String, String> commands,
      StatefulConnection<String, String> connection,
      Charge[] charges,
      long deadline)
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
      return runAsOne(commands, connection, charges, groupSlot[0], deadline);
    }
    List<String> probes = new ArrayList<>(0);
    try {
      for (int group = 0; group < groups && outages.anyFailing(); group++) {
        String part = partOf(groupSlot[group]);
        if (outages.failing(part) && !probes.contains(part)) {
          if (!outages.startProbe(part)) {
            return null;
          }
          probes.add(part);
        }
      }
      long sentNanos = clock.nanos(); // once this request is the probe of every failing node
      Charge[][] grouped = new Charge[groups][];
      int[][] indexes = new int[groups][];
      GroupDecision[] pending = new GroupDecision[groups];
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
        pending[group] =
            GroupDecision.submit(commands, connection, script, counters, grouped[group]);
      }
      Outcome[] outcomes = new Outcome[charges.length];
      for (int group = 0; group < groups; group++) {
        Outcome[] part;
        try {
          part = pending[group].await(deadline);
        } catch (TimeoutException | ExecutionException | RuntimeException e) {
          outages.partFailed(partOf(groupSlot[group]));
          throw e;
        }
        recovered(null, groupSlot[group], sentNanos);
        for (int j = 0; j < part.length; j++) {
          outcomes[indexes[group][j]] = part[j];
        }
      }
      outages.answered(sentNanos);
      return outcomes;
    } finally {
      for (String part : probes) {
        outages.endProbe(part);
      }
    }
  }

  /** The part of Redis a slot is on: its cluster node, or "" for one server. */
  private String partOf(int slot) {
    return link.cluster() ? link.nodeOf(slot) : "";
  }

  /**
   * A script on this slot, sent at {@code sentNanos}, was answered: its part (if known, else looked
   * up) is not failing, unless it failed after the script was sent.
   */
  private void recovered(String part, int slot, long sentNanos) {
    if (outages.anyFailing()) {
      outages.partAnswered(part != null ? part : partOf(slot), sentNanos);
    }
  }

  /** Whether the script counts these exactly; the config should never let it be false. */
  private static boolean withinBounds(Charge[] charges) {
    for (Charge charge : charges) {
      if (charge.limit() > RedisConfig.MAX_LIMIT_TIMES_WINDOW / charge.windowMillis()
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

  /**
   * What a request gets when Redis did not answer, or was not asked: allow admits each charge as a
   * fresh bucket would (remaining = limit - cost, full again a window from now); deny blocks every
   * charge for {@link #FAILURE_RETRY_AFTER_MILLIS}, observe-only ones included, so dry-run shows
   * what deny would do; local counts in this instance's memory. No outcome is {@link
   * Outcome#counted}: Redis did not count the charge (or, with no answer in time, may have: it
   * stays, the safe side), so {@code count: failures} never gives it back there, not even when
   * Redis is healthy again by the time the request ends. With local, the charge is {@link
   * Outcome#countedInFallback}: its give-back goes to this instance's memory, where it counted.
   */
  private Outcome[] onError(Charge[] charges) {
    if (local != null) {
      Outcome[] outcomes = local.acquire(charges);
      for (int i = 0; i < outcomes.length; i++) {
        outcomes[i] = outcomes[i].asCountedInFallback();
      }
      return outcomes;
    }
    long now = clock.millis();
    boolean deny = settings.onError() == RedisConfig.OnError.DENY;
    Outcome[] outcomes = new Outcome[charges.length];
    for (int i = 0; i < charges.length; i++) {
      Charge charge = charges[i];
      outcomes[i] =
          deny
              ? Outcome.uncounted(
                  false, 0, now + charge.windowMillis(), FAILURE_RETRY_AFTER_MILLIS, now)
              : Outcome.uncounted(
                  true,
                  Math.max(0, charge.limit() - charge.cost()),
                  now + charge.windowMillis(),
                  0,
                  now);
    }
    return outcomes;
  }
}
