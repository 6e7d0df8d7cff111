package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code redis.sliding-window: commands}, second review: cases inside the README's contract (clocks
 * within 2 s of each other) where the counters admit past the limit.
 */
class WindowCountersSlidingReview2Test {

  private static final long SECOND = 1_000;

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
        "sliding-review2:" + unique.incrementAndGet() + ":{client}",
        limit,
        window,
        1,
        Algorithm.SLIDING_WINDOW,
        false);
  }

  /**
   * Limit 10 a second; two instances whose clocks are 1.5 s apart (within the 2 s the README asks
   * for, and LATE_MILLIS is meant to cover), each sending 10 requests at the same moment. The one
   * ahead counts in the window two after the one behind, and reads the window between as its
   * previous: empty. The one behind reads the window between as its next: empty too. Neither sees
   * the other: 20 admitted in one moment, where a sliding window admits 10 in any second. A window
   * shorter than the clocks' difference (or than LATE_MILLIS, with a request's delay) puts the
   * requests of one moment more than one window apart, and only the next window is read.
   */
  @Test
  void instancesMoreThanAWindowApartWithinTheClockBoundDoNotAdmitTwiceTheLimit() {
    FakeClock behind = new FakeClock(BASE + 500);
    FakeClock ahead = new FakeClock(BASE + 2 * SECOND);
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
