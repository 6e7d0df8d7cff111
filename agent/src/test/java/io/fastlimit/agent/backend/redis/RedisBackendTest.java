package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.observe.CapturedLog;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Redis backend against a real redis-server of its own: Redis's clock, failures, recovery. */
class RedisBackendTest {

  /**
   * Redis's timeout in these tests: far longer than any answer takes even on a loaded machine, so
   * that only the failures a test makes (a kill, a freeze) make an outage.
   */
  private static final long TIMEOUT_MILLIS = 5_000;

  private static RedisServer server;
  private static RedisClient inspector;
  private static StatefulRedisConnection<String, String> inspection;
  private static RedisCommands<String, String> redis;
  private static RedisBackend backend;
  private static final AtomicInteger unique = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    server = RedisServer.start();
    inspector = RedisServer.client(server.uri());
    inspection = inspector.connect();
    redis = inspection.sync();
    backend = connect(server, RedisConfig.OnError.DENY, TIMEOUT_MILLIS);
    awaitConnected(backend);
  }

  @AfterAll
  static void stop() throws Exception {
    backend.close();
    inspection.close();
    inspector.shutdown();
    server.close();
  }

  static RedisBackend connect(RedisServer server, RedisConfig.OnError onError, long timeout) {
    return RedisBackend.connect(new RedisConfig(List.of(server.uri()), false, timeout, onError));
  }

  /** A backend on this server, on-error deny, by a clock of the test's. */
  static RedisBackend connect(RedisServer server, RedisClock clock) {
    return RedisBackend.connect(
        new RedisConfig(List.of(server.uri()), false, TIMEOUT_MILLIS, RedisConfig.OnError.DENY),
        clock,
        new BlockedCache(RedisBackend.MAX_BLOCKED_KEYS));
  }

  /**
   * Waits until Redis answers the backend, which must deny on error: a request with room to spare
   * is then admitted.
   */
  static void awaitConnected(RedisBackend backend) {
    Charge[] probe = {
      Charges.charge(
          "await:" + unique.incrementAndGet() + ":{probe}",
          1_000_000,
          3_600_000,
          1,
          Algorithm.FIXED_WINDOW,
          false)
    };
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!backend.acquire(probe)[0].allowed()) {
      assertThat(System.nanoTime()).as("connected within 15 s").isLessThan(deadline);
      RedisServer.sleep(10);
    }
  }

  private static String key(String name) {
    return "test:" + unique.incrementAndGet() + ":" + name + ":{client}";
  }

  private static Charge charge(String key, Algorithm algorithm, long limit, long window) {
    return Charges.charge(key, limit, window, 1, algorithm, false);
  }

  @Test
  void blockedRequestConsumesNothingWithRedisTime() {
    String wide = key("wide");
    String narrow = key("narrow");
    Charge[] both = {
      charge(wide, Algorithm.SLIDING_WINDOW, 10, 3_600_000),
      charge(narrow, Algorithm.TOKEN_BUCKET, 1, 3_600_000)
    };
    assertThat(backend.acquire(both)).extracting(Outcome::allowed).containsExactly(true, true);
    Outcome[] blocked = backend.acquire(both);
    assertThat(blocked).extracting(Outcome::allowed).containsExactly(true, false);
    assertThat(blocked[1].retryAfterMillis()).isPositive();
    Outcome wideAlone = backend.acquire(new Charge[] {both[0]})[0];
    assertThat(wideAlone.remaining()).as("the blocked request took nothing").isEqualTo(8);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void concurrentBurstOnOneKeyAdmitsExactlyTheLimit(Algorithm algorithm) throws Exception {
    String hot = key("hot-" + algorithm);
    // an hour's window: the burst cannot straddle a window boundary or see a token refill
    Charge[] charges = {charge(hot, algorithm, 50, 3_600_000)};
    int threads = 8;
    int perThread = 40;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger admitted = new AtomicInteger();
    List<Future<?>> done = new ArrayList<>();
    try (RedisBackend fresh =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY),
            RedisClock.SYSTEM,
            new BlockedCache(0))) {
      awaitConnected(fresh);
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < perThread; i++) {
                    if (fresh.acquire(charges)[0].allowed()) {
                      admitted.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> future : done) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(admitted.get()).isEqualTo(50);
  }

  @Test
  void everyKeyExpiresWhenItsBucketIsFullAgain() {
    for (Algorithm algorithm : Algorithm.values()) {
      String bucket = key("ttl-" + algorithm);
      Charge[] charges = {charge(bucket, algorithm, 5, 60_000)};
      Outcome outcome = backend.acquire(charges)[0];
      assertThat(redis.pexpiretime(bucket))
          .as(algorithm.toString())
          .isEqualTo(outcome.resetAtMillis());
    }
  }

  @Test
  void outcomesCarryRedisTimeNotThisJvmsClock() throws Exception {
    // Redis TIME and this JVM's clock are the same machine's here: within a second; a fake
    // script clock far in the past proves the value comes from the script, not from here
    Charge charge = charge(key("time"), Algorithm.FIXED_WINDOW, 5, 60_000);
    long before = System.currentTimeMillis();
    Outcome real = backend.acquire(new Charge[] {charge})[0];
    long after = System.currentTimeMillis();
    assertThat(real.decidedAtMillis()).isBetween(before - 1_000, after + 1_000);
    long past = 946_684_800_000L; // 2000-01-01
    try (RedisBackend faked = connect(server, new FakeClock(past))) {
      awaitConnected(faked);
      Charge fresh = charge(key("time-fake"), Algorithm.FIXED_WINDOW, 5, 60_000);
      Outcome outcome = faked.acquire(new Charge[] {fresh})[0];
      assertThat(outcome.decidedAtMillis()).isEqualTo(past);
      assertThat(outcome.resetAtMillis()).isEqualTo(past + 60_000);
    }
  }

  @Test
  void blockedRequestsWriteNothing() {
    String bucket = key("no-write");
    Charge[] charges = {charge(bucket, Algorithm.FIXED_WINDOW, 1, 3_600_000)};
    backend.acquire(charges);
    String stored = redis.get(bucket);
    backend.acquire(charges);
    assertThat(redis.get(bucket)).isEqualTo(stored);
  }

  @Test
  void scriptIsLoadedAgainAfterScriptFlush() {
    Charge[] charges = {charge(key("flush"), Algorithm.FIXED_WINDOW, 5, 60_000)};
    assertThat(backend.acquire(charges)[0].remaining()).isEqualTo(4);
    redis.scriptFlush();
    assertThat(redis.scriptExists(BucketScript.ONE_SHA)).containsExactly(false);
    // on-error is deny: an answer that admits came from the script
    assertThat(backend.acquire(charges)[0].remaining()).isEqualTo(3);
    assertThat(redis.scriptExists(BucketScript.ONE_SHA)).containsExactly(true);
    assertThat(backend.acquire(charges)[0].remaining()).isEqualTo(2);
  }

  @Test
  void floodFromOneBlockedClientAsksRedisOncePerTrustedTime() {
    FakeClock clock = FakeClock.atHourStart();
    Charge[] charges = {charge(key("flood"), Algorithm.FIXED_WINDOW, 2, 3_600_000)};
    try (RedisBackend tested = connect(server, clock)) {
      awaitConnected(tested);
      tested.acquire(charges);
      tested.acquire(charges);
      Outcome first = tested.acquire(charges)[0];
      assertThat(first.allowed()).isFalse();
      long calls = scriptCalls();
      Outcome last = null;
      for (int i = 0; i < 1_000; i++) {
        last = tested.acquire(charges)[0];
        assertThat(last.allowed()).isFalse();
      }
      assertThat(scriptCalls()).as("script runs during the flood").isEqualTo(calls);
      assertThat(last.retryAfterMillis()).isEqualTo(first.retryAfterMillis());
      assertThat(last.resetAtMillis()).isEqualTo(first.resetAtMillis());
      clock.advance(BlockedCache.TRUSTED_FOR_MILLIS);
      for (int i = 0; i < 1_000; i++) {
        last = tested.acquire(charges)[0];
        assertThat(last.allowed()).isFalse();
      }
      assertThat(scriptCalls()).as("script runs a trusted time later").isEqualTo(calls + 1);
      assertThat(last.retryAfterMillis())
          .isEqualTo(first.retryAfterMillis() - BlockedCache.TRUSTED_FOR_MILLIS);
    }
  }

  /**
   * An operator deletes a blocked client's key to let it in: every instance asks Redis again within
   * the cache's bound and admits it, and until then the flood still stays off Redis.
   */
  @Test
  void deletedKeyAdmitsTheClientWithinTheBlockedCacheBound() {
    FakeClock clock = FakeClock.atHourStart();
    String bucket = key("deleted");
    Charge[] charges = {charge(bucket, Algorithm.FIXED_WINDOW, 1, 3_600_000)};
    try (RedisBackend tested = connect(server, clock)) {
      awaitConnected(tested);
      assertThat(tested.acquire(charges)[0].allowed()).isTrue();
      assertThat(tested.acquire(charges)[0].allowed()).isFalse();
      redis.del(bucket);
      long calls = scriptCalls();
      clock.advance(BlockedCache.TRUSTED_FOR_MILLIS - 1);
      assertThat(tested.acquire(charges)[0].allowed()).as("still the cached block").isFalse();
      assertThat(scriptCalls()).as("answered without Redis").isEqualTo(calls);
      clock.advance(1);
      assertThat(tested.acquire(charges)[0].allowed()).as("asked Redis again").isTrue();
    }
  }

  /** A Redis restart empties it: a client blocked before is admitted within the cache's bound. */
  @Test
  void restartedRedisAdmitsABlockedClientWithinTheBlockedCacheBound() throws Exception {
    FakeClock clock = FakeClock.atHourStart();
    Charge[] charges = {charge(key("restart"), Algorithm.FIXED_WINDOW, 1, 3_600_000)};
    RedisServer own = RedisServer.start();
    try (RedisBackend tested = connect(own, clock)) {
      awaitConnected(tested);
      assertThat(tested.acquire(charges)[0].allowed()).isTrue();
      assertThat(tested.acquire(charges)[0].allowed()).isFalse();
      own.kill();
      own.restart();
      clock.advance(BlockedCache.TRUSTED_FOR_MILLIS);
      // on-error deny: admitted only once Redis, reconnected, answers
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (!tested.acquire(charges)[0].allowed()) {
        assertThat(System.nanoTime()).as("admitted within 15 s").isLessThan(deadline);
        RedisServer.sleep(20);
      }
    } finally {
      own.close();
    }
  }

  @Test
  void observeOnlyBlocksAreNotCachedAndStillCount() {
    String enforced = key("enforced");
    String observed = key("observed");
    Charge[] charges = {
      charge(enforced, Algorithm.FIXED_WINDOW, 100, 3_600_000),
      Charges.charge(observed, 1, 3_600_000, 1, Algorithm.FIXED_WINDOW, true)
    };
    backend.acquire(charges);
    long calls = scriptCalls();
    for (int i = 0; i < 5; i++) {
      Outcome[] outcomes = backend.acquire(charges);
      assertThat(outcomes[0].allowed()).isTrue();
      assertThat(outcomes[1].allowed()).isFalse();
    }
    assertThat(scriptCalls()).isEqualTo(calls + 5);
    assertThat(backend.acquire(new Charge[] {charges[0]})[0].remaining()).isEqualTo(93);
  }

  @Test
  void startsWhileRedisIsDownAndConnectsWhenItComesUp() throws Exception {
    RedisServer late = RedisServer.notStarted();
    // connect() returns (and the first request is answered) while nothing listens on the port
    try (RedisBackend early = connect(late, RedisConfig.OnError.DENY, TIMEOUT_MILLIS)) {
      Charge[] charges = {charge(key("late"), Algorithm.FIXED_WINDOW, 5, 60_000)};
      Outcome denied = early.acquire(charges)[0];
      assertThat(denied.allowed()).isFalse();
      assertThat(denied.retryAfterMillis()).isEqualTo(RedisBackend.FAILURE_RETRY_AFTER_MILLIS);
      late.restart();
      awaitConnected(early);
      assertThat(early.acquire(charges)[0].allowed()).isTrue();
    } finally {
      late.close();
    }
  }

  @Test
  void lettuceThreadsAreDaemons() {
    List<String> nonDaemon = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("fastlimit-") && !thread.isDaemon()) {
        nonDaemon.add(thread.getName());
      }
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .anyMatch(thread -> thread.getName().startsWith("fastlimit-"));
    assertThat(nonDaemon).isEmpty();
  }

  /**
   * Kills Redis under traffic and starts it again on the same port: no request waits out the
   * timeout (a dead connection fails at once), the on-error policy answers meanwhile, sharing
   * resumes by itself, and the outage and the recovery are logged once each. The timeout is long,
   * so that nothing but the kill can make an outage, however slow the machine.
   */
  @ParameterizedTest
  @EnumSource(RedisConfig.OnError.class)
  void outageUnderTrafficFollowsThePolicyAndRecovers(RedisConfig.OnError onError) throws Exception {
    CapturedLog log = new CapturedLog();
    log.start();
    RedisServer own = RedisServer.start();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong slowestNanos = new AtomicLong();
    AtomicInteger admittedDuringOutage = new AtomicInteger();
    AtomicInteger deniedDuringOutage = new AtomicInteger();
    AtomicBoolean outage = new AtomicBoolean();
    // from just before the kill: once the shared bucket is spent, whatever is admitted from then on
    // was answered in this instance's memory (the count the local policy is judged by)
    AtomicBoolean killing = new AtomicBoolean();
    AtomicInteger deniedShared = new AtomicInteger();
    AtomicInteger admittedSinceKill = new AtomicInteger();
    // 5 per hour: a shared bucket the first requests use up, a local one starts from zero; the
    // roomy bucket keeps requests from being answered by the blocked cache alone
    Charge[] charges = {
      charge(key("outage-roomy-" + onError), Algorithm.FIXED_WINDOW, 1_000_000, 3_600_000),
      charge(key("outage-" + onError), Algorithm.FIXED_WINDOW, 5, 3_600_000)
    };
    ExecutorService traffic = Executors.newFixedThreadPool(2);
    try (RedisBackend tested = connect(own, onError, TIMEOUT_MILLIS)) {
      // before the traffic: requests before the connection would count in local memory
      Charge[] probe = {charge(key("probe-" + onError), Algorithm.FIXED_WINDOW, 100, 60_000)};
      long connected = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      do {
        assertThat(System.nanoTime()).as("connected within 15 s").isLessThan(connected);
        tested.acquire(probe);
      } while (redis("GET", own, probe[0].key()) == null);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        workers.add(
            traffic.submit(
                () -> {
                  while (running.get()) {
                    boolean down = outage.get();
                    boolean afterKill = killing.get();
                    long start = System.nanoTime();
                    Outcome[] outcomes = tested.acquire(charges);
                    long took = System.nanoTime() - start;
                    Outcome outcome = outcomes[0].allowed() ? outcomes[1] : outcomes[0];
                    slowestNanos.accumulateAndGet(took, Math::max);
                    if (afterKill && killing.get() && outcome.allowed()) {
                      // started after the kill, answered before the restart began
                      admittedSinceKill.incrementAndGet();
                    } else if (!afterKill && !outcome.allowed()) {
                      deniedShared.incrementAndGet();
                    }
                    if (down && outage.get()) {
                      if (outcome.allowed()) {
                        admittedDuringOutage.incrementAndGet();
                      } else {
                        deniedDuringOutage.incrementAndGet();
                        assertThat(outcome.retryAfterMillis()).isPositive();
                      }
                    }
                    RedisServer.sleep(2);
                  }
                  return null;
                }));
      }
      awaitKey(own, charges[0].key(), "shared before the outage");
      long spent = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (deniedShared.get() == 0) {
        assertThat(System.nanoTime()).as("shared limit spent within 15 s").isLessThan(spent);
        RedisServer.sleep(5);
      }
      killing.set(true);
      // the flag goes up once Redis is dead: a request that starts after it cannot reach Redis,
      // while one started between the flag and the kill could still get Redis's own answer
      own.kill();
      outage.set(true);
      // until the policy has answered: allow admits at once, deny and local end up denying
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (onError == RedisConfig.OnError.ALLOW
          ? admittedDuringOutage.get() < 10
          : deniedDuringOutage.get() < 10) {
        assertThat(System.nanoTime()).as("on-error answers within 15 s").isLessThan(deadline);
        RedisServer.sleep(10);
      }
      outage.set(false);
      killing.set(false);
      own.restart();
      awaitKey(own, charges[0].key(), "shared again after the outage");
      running.set(false);
      for (Future<?> worker : workers) {
        worker.get(10, TimeUnit.SECONDS);
      }
    } finally {
      running.set(false);
      traffic.shutdownNow();
      own.close();
      log.stop();
    }
    assertThat(slowestNanos.get())
        .as("slowest request (ns): none waited out the timeout")
        .isLessThan(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS));
    switch (onError) {
      case ALLOW:
        assertThat(deniedDuringOutage.get()).isZero();
        break;
      case DENY:
        assertThat(admittedDuringOutage.get()).isZero();
        break;
      default:
        // counted in this instance's memory from zero: the limit, then blocked. The shared
        // bucket was spent before the kill, so every admission since is a local one, however
        // long the kill itself took on a loaded machine
        assertThat(admittedSinceKill.get()).isBetween(1, 5);
        assertThat(admittedDuringOutage.get()).isBetween(0, 5);
    }
    String text = log.text();
    assertThat(count(text, "applies until Redis answers again")).as(text).isEqualTo(1);
    assertThat(count(text, "Redis answers again; limits are shared again")).as(text).isEqualTo(1);
  }

  /** Waits until the server holds this key: a script of the backend ran there. */
  private static void awaitKey(RedisServer server, String key, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (redis("GET", server, key) == null) {
      assertThat(System.nanoTime()).as(what + ", within 15 s").isLessThan(deadline);
      RedisServer.sleep(20);
    }
  }

  /**
   * A hung Redis (SIGSTOP: connections stay open, nothing answers) under 800 requests from 4
   * threads: one request at a time waits for it, the others get the on-error answer at once, so a
   * few scripts (one per timeout) reach Redis rather than one per request; sharing resumes by
   * itself once it runs again, and the outage is logged once. Redis counts the scripts it ran after
   * it resumed (a frozen server still receives them); the timeout of 2 s leaves no room for a
   * spurious timeout before or after the freeze.
   */
  @Test
  void whileRedisHangsOneRequestAtATimeWaitsForIt() throws Exception {
    RedisServer own = RedisServer.start();
    AtomicInteger requests = new AtomicInteger();
    AtomicInteger admitted = new AtomicInteger();
    Charge[] charges = {charge(key("hung"), Algorithm.FIXED_WINDOW, 1_000_000, 3_600_000)};
    ExecutorService traffic = Executors.newFixedThreadPool(4);
    CapturedLog log = new CapturedLog();
    log.start();
    try (RedisBackend tested = connect(own, RedisConfig.OnError.DENY, 2_000)) {
      awaitConnected(tested);
      long before = scriptCalls(own);
      own.pause();
      // the first request finds out: it waits for the timeout
      assertThat(tested.acquire(charges)[0].allowed()).isFalse();
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        workers.add(
            traffic.submit(
                () -> {
                  // 800 in all: a thread back from asking Redis stops when the others are done
                  while (requests.getAndIncrement() < 800) {
                    if (tested.acquire(charges)[0].allowed()) {
                      admitted.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> worker : workers) {
        worker.get(60, TimeUnit.SECONDS);
      }
      assertThat(admitted.get()).as("on-error deny").isZero();
      own.resume();
      int afterwards = 1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (!tested.acquire(charges)[0].allowed()) {
        assertThat(System.nanoTime()).as("sharing resumed within 15 s").isLessThan(deadline);
        RedisServer.sleep(20);
        afterwards++;
      }
      // one script per request from here on: one thread, and Redis answers
      long whileHung = scriptCalls(own) - before - 1 - afterwards;
      assertThat(whileHung).as("scripts sent for 800 requests while hung").isBetween(1L, 10L);
    } finally {
      traffic.shutdownNow();
      own.close();
      log.stop();
    }
    String text = log.text();
    assertThat(count(text, "applies until Redis answers again")).as(text).isEqualTo(1);
    assertThat(count(text, "Redis answers again; limits are shared again")).as(text).isEqualTo(1);
  }

  private static String redis(String command, RedisServer server, String key) {
    try (RedisClient client = RedisServer.client(server.uri());
        StatefulRedisConnection<String, String> connection = client.connect()) {
      return connection.sync().get(key);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static int count(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }

  private static long scriptCalls() {
    return scriptCalls(redis.info("commandstats"));
  }

  /** Scripts a server ran (EVALSHA and EVAL), by its INFO commandstats. */
  static long scriptCalls(RedisServer server) {
    try (RedisClient client = RedisServer.client(server.uri());
        StatefulRedisConnection<String, String> connection = client.connect()) {
      return scriptCalls(connection.sync().info("commandstats"));
    }
  }

  private static long scriptCalls(String commandStats) {
    long calls = 0;
    Matcher matcher = Pattern.compile("cmdstat_eval(?:sha)?:calls=(\\d+)").matcher(commandStats);
    while (matcher.find()) {
      calls += Long.parseLong(matcher.group(1));
    }
    return calls;
  }
}
