package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code redis.sliding-window: commands}, review: where the counters admit what the sliding window
 * (memory, the script) blocks. Steps are taken in an order that can happen in production.
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

  private static RedisBackend backend(RedisClock by) {
    RedisBackend made =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY)
                .withSlidingWindow(RedisConfig.Counting.COMMANDS),
            by,
            new BlockedCache(0));
    RedisBackendTest.awaitConnected(made);
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
    FakeClock behind = new FakeClock(BASE + 500);
    FakeClock ahead = new FakeClock(BASE + SECOND);
    Charge charge = charge(10, SECOND);
    try (RedisBackend late = backend(behind);
        RedisBackend early = backend(ahead)) {
      int admitted = 0;
      for (int i = 0; i < 10; i++) {
        admitted += early.acquire(charge).allowed() ? 1 : 0;
      }
      for (int i = 0; i < 10; i++) {
        admitted += late.acquire(charge).allowed() ? 1 : 0;
      }
      assertThat(admitted).as("admitted at one moment, limit 10 a second").isLessThanOrEqualTo(10);
    }
  }
}
