package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code redis.fixed-window: commands} where a review found the counters answering differently from
 * the script's fixed window (each test failed before its fix), made deterministic by taking the
 * steps in the order they can happen in production.
 */
class WindowCountersReviewTest {

  private static final long MINUTE = 60_000;

  /** 2100-01-01, a multiple of every window: no relative expiry ends while the test runs. */
  private static final long BASE = 4_102_444_800_000L;

  private static final FakeClock clock = new FakeClock(BASE);
  private static final AtomicInteger unique = new AtomicInteger();
  private static RedisServer server;
  private static RedisBackend backend;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> redis;
  private static RedisAsyncCommands<String, String> async;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServer.start();
    backend = commandsBackend(clock);
    client = RedisServer.client(server.uri());
    connection = client.connect();
    redis = connection.sync();
    async = connection.async();
    // as after the first EVAL: a give-back is one EVALSHA, answered before the next command
    redis.scriptLoad(GiveBackScript.TEXT);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    backend.close();
    connection.close();
    client.shutdown();
    server.close();
  }

  private static RedisBackend commandsBackend(RedisClock by) {
    RedisBackend made =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY)
                .withFixedWindow(RedisConfig.FixedWindow.COMMANDS),
            by,
            new BlockedCache(0));
    RedisBackendTest.awaitConnected(made);
    return made;
  }

  private static Charge charge(long limit) {
    return Charges.charge(
        "review:" + unique.incrementAndGet() + ":{client}",
        limit,
        MINUTE,
        1,
        Algorithm.FIXED_WINDOW,
        false);
  }

  private static long deadline() {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
  }

  /**
   * Limit 1. A is admitted; B, concurrent, raises the count to 2 and is blocked; an operator resets
   * the client before B's take-back (sent unawaited) reaches Redis. A bare {@code DECRBY} made the
   * deleted key anew at -1, and the client, whose limit is 1 after the reset, was admitted twice;
   * the take-back now goes through the give-back script, which leaves a reset or missing key alone.
   * The script's fixed window writes nothing for a blocked request, so there it is admitted once.
   */
  @Test
  void aTakeBackThatLandsAfterAResetTakesNothingFromTheCountsAfterIt() throws Exception {
    Charge charge = charge(1);
    Charge[] one = {charge};
    assertThat(backend.acquire(charge).allowed()).as("A").isTrue();
    // B, step by step as GroupDecision.await takes it: the count, then the take-back
    WindowCounters.Sent sent = new WindowCounters(clock).submit(connection, one);
    Outcome[] b = WindowCounters.await(sent, deadline());
    assertThat(b[0].allowed()).as("B").isFalse();
    // ... and, in between, the operator's reset
    assertThat(backend.reset(charge.keyStart(), charge.client(), MINUTE)).isTrue();
    WindowCounters.settle(async, sent, b, GroupDecision.admitted(one, b));
    async.ping().get(5, TimeUnit.SECONDS); // the take-back is in

    assertThat(backend.acquire(charge).allowed()).as("the first request after the reset").isTrue();
    assertThat(backend.acquire(charge).allowed())
        .as("the second request after the reset, limit 1 (count %s)", redis.get(key(charge)))
        .isFalse();
  }

  /**
   * In production the scripts and the reset mark go by Redis's TIME ({@link RedisClock#SYSTEM}'s
   * {@code scriptNow()} is ""), while a window counter's give-back is dated by the instance's
   * clock. With that clock ahead of Redis's, a charge made before an operator's reset was taken for
   * one made after it, and its give-back (count: failures) came out of the counts made after the
   * reset. The give-back script now places the charge in Redis's time by how long ago it was. The
   * script's fixed window, dated by Redis TIME on both sides, gives nothing back either.
   */
  @Test
  void aGiveBackFromBeforeAResetIsNotTakenFromTheCountsAfterItWithRedisTime() throws Exception {
    long redisNow = Long.parseLong(redis.time().get(0)) * 1000;
    // the instance's clock 10 s ahead of Redis's (any amount will do for a charge made that
    // shortly before the reset; 10 s so that the test's own speed does not matter)
    AtomicLong instance = new AtomicLong(redisNow + 10_000);
    RedisClock ahead =
        new RedisClock() {
          @Override
          public long nanos() {
            return instance.get() * 1_000_000L;
          }

          @Override
          public long millis() {
            return instance.get();
          }

          @Override
          public String scriptNow() {
            return ""; // as RedisClock.SYSTEM: the scripts and the reset mark take Redis TIME
          }
        };
    RedisBackend commands = commandsBackend(ahead);
    RedisBackend scripts =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY),
            ahead,
            new BlockedCache(0));
    RedisBackendTest.awaitConnected(scripts);
    try {
      assertThat(extraAfterReset(scripts)).as("the script's fixed window").isFalse();
      assertThat(extraAfterReset(commands)).as("window counters").isFalse();
    } finally {
      commands.close();
      scripts.close();
    }
  }

  /**
   * Limit 1 (count: failures): A is admitted, the operator resets the client, B is admitted, A ends
   * in success and is given back. Whether C is then admitted too: two requests after the reset.
   */
  private static boolean extraAfterReset(RedisBackend backend) {
    Charge charge = charge(1);
    Outcome a = backend.acquire(charge);
    assertThat(a.allowed()).as("A").isTrue();
    assertThat(backend.reset(charge.keyStart(), charge.client(), MINUTE)).isTrue();
    assertThat(backend.acquire(charge).allowed()).as("B, after the reset").isTrue();
    backend.giveBack(new Charge[] {charge}, new long[] {a.decidedAtMillis()});
    // the give-back is one EVALSHA on the backend's connection: in before C's count
    return backend.acquire(charge).allowed();
  }

  /**
   * README: instances whose clocks are within {@link WindowCounters#GRACE_MILLIS} of each other
   * share a key until the last of them has left its window. The last to write sets the expiry by
   * its clock: when that is the instance whose clock is ahead, the grace still covers the one
   * behind. (Further apart, the key could expire while the instance behind still counts in it: 5 s
   * apart, it expired 3 s early. The README states the bound.)
   */
  @Test
  void aKeyLastsUntilTheLastInstanceUsingItHasLeftItsWindow() {
    FakeClock slowClock = new FakeClock(BASE + 50_000);
    // 0.5 s apart: the key's PTTL, read a moment after the write, keeps 1.5 s of the grace
    FakeClock fastClock = new FakeClock(BASE + 50_500);
    RedisBackend slow = commandsBackend(slowClock);
    RedisBackend fast = commandsBackend(fastClock);
    try {
      Charge charge = charge(5);
      assertThat(slow.acquire(charge).allowed()).isTrue();
      assertThat(fast.acquire(charge).allowed()).isTrue();
      String key = charge.key() + ':' + BASE;
      assertThat(redis.get(key)).isEqualTo("2");
      long slowWindowLeft = BASE + MINUTE - slowClock.get();
      assertThat(redis.pttl(key))
          .as(
              "the key's lifetime; the slow instance counts in its window %s ms more",
              slowWindowLeft)
          .isGreaterThanOrEqualTo(slowWindowLeft);
    } finally {
      slow.close();
      fast.close();
    }
  }

  private static String key(Charge charge) {
    return charge.key() + ':' + WindowCounters.windowStart(clock.get(), MINUTE);
  }
}
