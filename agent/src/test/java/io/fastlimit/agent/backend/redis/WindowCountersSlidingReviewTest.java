package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * {@code redis.sliding-window: commands}, review: where the counters admit what the sliding window
 * (memory, the script) blocks. Steps are taken in an order that can happen in production. The
 * second review's cases: instances whose clocks are apart, within 2 s; by their own clocks (before
 * a sample of Redis's) they admit past the limit, the disabled cases, kept as the limit they are;
 * on Redis's time as they sample it (production) they admit the limit.
 */
class WindowCountersSlidingReviewTest {

  private static final long SECOND = 1_000;
  private static final long MINUTE = 60_000;

  /** 2100-01-01, a multiple of every window: no relative expiry ends while the test runs. */
  private static final long BASE = 4_102_444_800_000L;

  private static final AtomicInteger unique = new AtomicInteger();
  private static RedisServer server;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServer.start();
    RedisServer.loadGiveBack(server.uri());
  }

  @AfterAll
  static void stopRedis() throws Exception {
    server.close();
  }

  /** An instance by its own clock {@code by} alone: no sample of Redis's clock. */
  private static RedisBackend backend(RedisClock by) {
    return backend(by, null);
  }

  /**
   * An instance by {@code by} that samples Redis's clock, as in production: here {@code redis}, a
   * fake time standing for Redis's {@code TIME}, shared by the instances.
   */
  private static RedisBackend backend(RedisClock by, FakeClock redis) {
    RedisBackend made =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY)
                .withCounting(Algorithm.SLIDING_WINDOW, RedisConfig.Counting.COMMANDS),
            by,
            new BlockedCache(0),
            redis == null ? null : commands -> CompletableFuture.completedFuture(redis.get()));
    RedisBackendTest.awaitConnected(made);
    if (redis != null) {
      made.sampleTime();
      assertThat(made.time().sampled()).as("Redis's time sampled").isTrue();
    }
    return made;
  }

  private static Charge charge(long limit, long window) {
    return Charges.charge(
        "sliding-review:" + unique.incrementAndGet() + ":{client}",
        limit,
        window,
        1,
        Algorithm.SLIDING_WINDOW,
        false);
  }

  /**
   * Limit 4 a minute. Three requests at 0:30, one at 1:00; then one whose time was read at 0:59.999
   * (a thread that read the clock a moment before another that reached Redis first, or an instance
   * whose clock is 1 ms behind). Five requests within 30 s: the memory backend and the script count
   * the late one in the window that the bucket has already moved to and block it. The counters
   * count it in its own window's key, which the request at 1:00 has already read as the previous
   * window (3, not 4): the late one is admitted, and the weighted count at 1:00 is 4 + 1 = 5.
   */
  @Test
  void aRequestTimedJustBeforeTheWindowDoesNotGetPastTheLimit() {
    FakeClock clock = new FakeClock(BASE);
    long[] times = {30_000, 30_000, 30_000, 60_000, 59_999};
    Charge charge = charge(4, MINUTE);
    MemoryBackend memory = new MemoryBackend(clock::get, 1_000);
    int byMemory = 0;
    for (long time : times) {
      clock.set(BASE + time);
      byMemory += memory.acquire(charge).allowed() ? 1 : 0;
    }
    try (RedisBackend commands = backend(clock)) {
      int byCommands = 0;
      for (long time : times) {
        clock.set(BASE + time);
        byCommands += commands.acquire(charge).allowed() ? 1 : 0;
      }
      assertThat(byMemory).as("memory").isEqualTo(4);
      assertThat(byCommands)
          .as("admitted of 5 requests within 30 s, limit 4 a minute")
          .isEqualTo(4);
    }
  }

  /**
   * Limit 10 a second; two instances whose clocks are 0.5 s apart (within the 2 s the README asks
   * for), each sending 10 requests at the same moment. The one ahead is in the next window, which
   * reads the window of the one behind as its previous, still empty: 10 admitted. The one behind
   * counts in that window, whose previous is empty too: 10 more admitted. 20 in one moment, where a
   * sliding window (memory, the script, on any one clock) admits 10 in any second; the fixed
   * window's counters have that burst at every window's end anyway, a sliding window should not.
   */
  @Test
  void twoInstancesWhoseClocksDifferWithinTheBoundDoNotAdmitTwiceTheLimit() {
    int admitted = oneMoment(500, SECOND, null, 10, SECOND, false);
    assertThat(admitted).as("admitted at one moment, limit 10 a second").isLessThanOrEqualTo(10);
  }

  // ---- the second review: instances whose clocks are apart, by their own clocks and on Redis's

  /**
   * Limit 10 a second; two instances whose clocks are 1.5 s apart (within the 2 s the README asks
   * for, and LATE_MILLIS is meant to cover), each sending 10 requests at the same moment. The one
   * ahead counts in the window two after the one behind, and reads the window between as its
   * previous: empty. The one behind reads the window between as its next: empty too. Neither sees
   * the other: 20 admitted in one moment, where a sliding window admits 10 in any second. A window
   * shorter than the clocks' difference (or than LATE_MILLIS, with a request's delay) puts the
   * requests of one moment more than one window apart, and only the next window is read.
   */
  @Disabled(
      "known limit, before an instance has sampled Redis's clock (RedisTime; fixed by the"
          + " sample): a sliding window shorter than the clocks' difference plus a request's delay"
          + " puts requests of one moment two windows apart; only the next window is read")
  @Test
  void instancesMoreThanAWindowApartWithinTheClockBoundDoNotAdmitTwiceTheLimitByTheirOwnClocks() {
    instancesMoreThanAWindowApart(false);
  }

  /** The same instances sampling Redis's clock, as in production: one window, 10 admitted. */
  @Test
  void instancesMoreThanAWindowApartAdmitTheLimitOnRedissTime() {
    instancesMoreThanAWindowApart(true);
  }

  private static void instancesMoreThanAWindowApart(boolean sampled) {
    int admitted = oneMoment(500, 2 * SECOND, sampled ? 1_250L : null, 10, SECOND, false);
    assertThat(admitted).as("admitted at one moment, limit 10 a second").isLessThanOrEqualTo(10);
  }

  /**
   * The first review's case (limit 10 a second, two instances 0.5 s apart) in the other order: the
   * one behind (at 0.9 s) sends its 10 first, then the one ahead (at 1.4 s, 0.4 s into the next
   * window). The one behind reads the next window: empty, so its 10 are admitted and counted in its
   * own window's key. The one ahead weighs that key as its previous window by the 0.6 of it that
   * its clock says still overlaps: 6, so 4 more are admitted. 14 in one moment. Memory and the
   * script (one clock: both bursts in the same window) admit 10.
   */
  @Disabled(
      "known limit, before an instance has sampled Redis's clock (RedisTime; fixed by the"
          + " sample): counts an instance behind made in its window's last moments weigh on an"
          + " instance ahead by its own clock's overlap: an overshoot of about the clocks'"
          + " difference over the window")
  @Test
  void theInstanceBehindFirstThenTheOneAheadDoNotGetPastTheLimitByTheirOwnClocks() {
    theInstanceBehindFirst(false);
  }

  /** The same instances sampling Redis's clock, as in production: one window, 10 admitted. */
  @Test
  void theInstanceBehindFirstThenTheOneAheadAdmitTheLimitOnRedissTime() {
    theInstanceBehindFirst(true);
  }

  private static void theInstanceBehindFirst(boolean sampled) {
    int admitted = oneMoment(900, 1_400, sampled ? 1_150L : null, 10, SECOND, true);
    assertThat(admitted).as("admitted at one moment, limit 10 a second").isLessThanOrEqualTo(10);
  }

  /**
   * The same with a window longer than LATE_MILLIS, so that it is not only short windows: limit 100
   * per 10 s, clocks 1.9 s apart. The one behind (at 9.9 s) sends 100: the next window is empty,
   * all admitted. The one ahead (at 11.8 s) weighs them by 0.82: 82, and admits 18 more. 118 in one
   * moment; the overshoot is about the clocks' difference over the window, for any window.
   */
  @Disabled(
      "known limit, before an instance has sampled Redis's clock: as"
          + " theInstanceBehindFirstThenTheOneAheadDoNotGetPastTheLimitByTheirOwnClocks, 10 s"
          + " windows")
  @Test
  void aWindowLongerThanLateMillisDoesNotGetPastTheLimitEitherByTheirOwnClocks() {
    aWindowLongerThanLateMillis(false);
  }

  /** The same instances sampling Redis's clock, as in production: one window, 100 admitted. */
  @Test
  void aWindowLongerThanLateMillisAdmitsTheLimitOnRedissTime() {
    aWindowLongerThanLateMillis(true);
  }

  private static void aWindowLongerThanLateMillis(boolean sampled) {
    int admitted = oneMoment(9_900, 11_800, sampled ? 10_850L : null, 100, 10 * SECOND, true);
    assertThat(admitted).as("admitted at one moment, limit 100 per 10 s").isLessThanOrEqualTo(100);
  }

  /**
   * Two instances whose clocks stand at {@code behindAt} and {@code aheadAt} (ms after BASE), on
   * Redis's time at {@code redisAt} as they sample it or (null) by their own clocks, each sending
   * {@code limit} requests at one moment, the one behind first or second: how many got in.
   */
  private static int oneMoment(
      long behindAt, long aheadAt, Long redisAt, long limit, long window, boolean behindFirst) {
    FakeClock redis = redisAt == null ? null : new FakeClock(BASE + redisAt);
    Charge charge = charge(limit, window);
    try (RedisBackend behind = backend(new FakeClock(BASE + behindAt), redis);
        RedisBackend ahead = backend(new FakeClock(BASE + aheadAt), redis)) {
      int admitted = 0;
      for (RedisBackend instance :
          behindFirst ? new RedisBackend[] {behind, ahead} : new RedisBackend[] {ahead, behind}) {
        for (int i = 0; i < limit; i++) {
          admitted += instance.acquire(charge).allowed() ? 1 : 0;
        }
      }
      return admitted;
    }
  }
}
