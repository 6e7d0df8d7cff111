package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code redis.fixed-window: commands} against a redis-server of its own: what it sends, what it
 * leaves in Redis, and that concurrent requests never get past the limit. What it answers is in
 * {@link BucketCasesTest}'s tables and random sequences, and in {@link GiveBackTest}.
 */
class WindowCountersTest {

  private static final long MINUTE = 60_000;

  /**
   * 2100-01-01, a multiple of every window: the scripts' keys expire at absolute times (PXAT), the
   * counters' keys after relative ones (PEXPIRE), so none expires while the test runs.
   */
  private static final FakeClock clock = new FakeClock(4_102_444_800_000L);

  private static final AtomicInteger unique = new AtomicInteger();
  private static RedisServer server;
  private static RedisBackend backend;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> redis;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServer.start();
    backend =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY)
                .withFixedWindow(RedisConfig.FixedWindow.COMMANDS),
            clock,
            new BlockedCache(0));
    RedisBackendTest.awaitConnected(backend);
    client = RedisServer.client(server.uri());
    connection = client.connect();
    redis = connection.sync();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    backend.close();
    connection.close();
    client.shutdown();
    server.close();
  }

  private static Charge charge(long limit, Algorithm algorithm) {
    return Charges.charge(
        "counters:" + unique.incrementAndGet() + ":{client}", limit, MINUTE, 1, algorithm, false);
  }

  private static String windowKey(Charge charge) {
    return charge.key() + ':' + (clock.get() - clock.get() % MINUTE);
  }

  /** Waits for the take-backs sent without waiting: what Redis holds once they are in. */
  private static long countOnceSettled(String key, long expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long count = Long.parseLong(redis.get(key));
    while (count != expected && System.nanoTime() < deadline) {
      RedisServer.sleep(5);
      count = Long.parseLong(redis.get(key));
    }
    return count;
  }

  private static long calls(String command) {
    String stats = redis.info("commandstats");
    int at = stats.indexOf("cmdstat_" + command + ":calls=");
    if (at < 0) {
      return 0;
    }
    int from = at + ("cmdstat_" + command + ":calls=").length();
    int to = from;
    while (Character.isDigit(stats.charAt(to))) {
      to++;
    }
    return Long.parseLong(stats.substring(from, to));
  }

  @Test
  void aFixedWindowIsCountedByCommandsWithoutAScript() {
    Charge charge = charge(3, Algorithm.FIXED_WINDOW);
    redis.configResetstat();
    for (int i = 0; i < 3; i++) {
      assertThat(backend.acquire(charge).allowed()).isTrue();
    }
    assertThat(calls("evalsha") + calls("eval")).as("scripts run").isZero();
    assertThat(calls("incrby")).isEqualTo(3);
    assertThat(calls("pexpire")).isEqualTo(3);
  }

  @Test
  void eachWindowHasItsOwnKeyThatExpiresAfterIt() {
    Charge charge = charge(3, Algorithm.FIXED_WINDOW);
    backend.acquire(charge);
    backend.acquire(charge);
    assertThat(redis.get(windowKey(charge))).isEqualTo("2");
    assertThat(redis.exists(charge.key())).as("the scripts' key").isZero();
    // the clock is at a window's start: its key lives the window and the grace, no longer
    assertThat(redis.pttl(windowKey(charge)))
        .isPositive()
        .isLessThanOrEqualTo(MINUTE + WindowCounters.GRACE_MILLIS);
    clock.advance(MINUTE);
    try {
      assertThat(backend.acquire(charge).remaining()).as("the next window").isEqualTo(2);
      assertThat(redis.get(windowKey(charge))).isEqualTo("1");
    } finally {
      clock.advance(-MINUTE);
    }
  }

  @Test
  void aBlockedRequestsCountIsTakenBack() {
    Charge charge = charge(2, Algorithm.FIXED_WINDOW);
    backend.acquire(charge);
    backend.acquire(charge);
    Outcome blocked = backend.acquire(charge);
    assertThat(blocked.allowed()).isFalse();
    assertThat(blocked.remaining()).isZero();
    assertThat(blocked.retryAfterMillis()).isEqualTo(MINUTE);
    assertThat(countOnceSettled(windowKey(charge), 2)).isEqualTo(2);
  }

  @Test
  void aRequestBlockedByItsOtherBucketTakesBackItsWindowCount() {
    Charge wide = charge(5, Algorithm.FIXED_WINDOW);
    Charge narrow = charge(1, Algorithm.TOKEN_BUCKET);
    Charge[] both = {wide, narrow};
    assertThat(backend.acquire(both)).extracting(Outcome::allowed).containsExactly(true, true);
    assertThat(backend.acquire(both)).extracting(Outcome::allowed).containsExactly(true, false);
    assertThat(countOnceSettled(windowKey(wide), 1)).isEqualTo(1);
  }

  @Test
  void anOperatorsResetDeletesTheWindowsCounter() {
    Charge charge = charge(1, Algorithm.FIXED_WINDOW);
    backend.acquire(charge);
    assertThat(backend.acquire(charge).allowed()).isFalse();
    assertThat(backend.reset(charge.keyStart(), charge.client(), MINUTE)).isTrue();
    assertThat(redis.exists(windowKey(charge))).isZero();
    assertThat(backend.acquire(charge).allowed()).as("after the reset").isTrue();
  }

  @Test
  void concurrentRequestsAreAdmittedUpToTheLimitAndNoFurther() throws Exception {
    Charge charge = charge(50, Algorithm.FIXED_WINDOW);
    int threads = 8;
    int each = 40;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> admitted = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Callable<Integer> caller =
            () -> {
              start.await();
              int in = 0;
              for (int i = 0; i < each; i++) {
                in += backend.acquire(charge).allowed() ? 1 : 0;
              }
              return in;
            };
        admitted.add(pool.submit(caller));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> one : admitted) {
        total += one.get(60, TimeUnit.SECONDS);
      }
      // counts run ahead of the admitted ones only while take-backs are on their way, which can
      // block a request that had room (the safe side), never admit one that had none
      assertThat(total).isPositive().isLessThanOrEqualTo(50);
      assertThat(countOnceSettled(windowKey(charge), total)).isEqualTo(total);
    } finally {
      pool.shutdownNow();
    }
  }
}
