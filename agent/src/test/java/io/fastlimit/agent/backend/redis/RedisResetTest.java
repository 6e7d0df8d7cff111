package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Unblocking a client with Redis: every instance lets it in, its cache of blocks included. */
class RedisResetTest {

  private static final String KEY_START = "reset-test:login:ip:{";
  private static final long TIMEOUT_MILLIS = 5_000;

  private static Charge charge(String client) {
    return Charges.charge(KEY_START, client, 2, 3_600_000, 1, Algorithm.FIXED_WINDOW, false);
  }

  private static RedisConfig settings(RedisServer server) {
    return new RedisConfig(List.of(server.uri()), false, TIMEOUT_MILLIS, RedisConfig.OnError.DENY);
  }

  @Test
  void aResetOnOneInstanceLetsTheClientInOnEveryInstanceAtOnce() throws Exception {
    try (RedisServer server = RedisServer.start()) {
      // instance A's clock stands still: its cache would believe the block for ever, so only
      // the reset's announcement can make it ask Redis again
      FakeClock frozen = FakeClock.atHourStart();
      BlockedCache cacheOfA = new BlockedCache(RedisBackend.MAX_BLOCKED_KEYS);
      try (RedisBackend a = RedisBackend.connect(settings(server), frozen, cacheOfA);
          RedisBackend b = RedisBackend.connect(settings(server))) {
        RedisBackendTest.awaitConnected(a);
        RedisBackendTest.awaitConnected(b);
        for (int i = 0; i < 2; i++) {
          assertThat(a.acquire(charge("203.0.113.7")).allowed()).isTrue();
        }
        assertThat(a.acquire(charge("203.0.113.7")).allowed()).isFalse();
        assertThat(a.acquire(charge("198.51.100.1")).allowed()).isTrue();
        assertThat(cacheOfA.size()).as("A remembers the block").isEqualTo(1);

        awaitListeners(server, 2); // each instance listens once its subscription is open

        assertThat(b.reset(KEY_START, "203.0.113.7")).isTrue();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (cacheOfA.size() > 0) {
          assertThat(System.nanoTime()).as("A heard the reset").isLessThan(deadline);
          RedisServer.sleep(10);
        }
        assertThat(a.acquire(charge("203.0.113.7")).remaining()).isEqualTo(1);
        assertThat(b.reset(KEY_START, "192.0.2.99")).as("no counter held").isFalse();
        assertThat(a.acquire(charge("198.51.100.1")).remaining()).as("others untouched").isZero();
      }
    }
  }

  /** Waits until this many connections listen to the reset channel. */
  private static void awaitListeners(RedisServer server, long listeners) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try (RedisClient client = RedisServer.client(server.uri());
        StatefulRedisConnection<String, String> connection = client.connect()) {
      while (connection.sync().pubsubNumsub(RedisReset.CHANNEL).get(RedisReset.CHANNEL)
          < listeners) {
        assertThat(System.nanoTime()).as("both instances listen").isLessThan(deadline);
        RedisServer.sleep(10);
      }
    }
  }

  @Test
  void aResetWhileRedisIsUnreachableSaysNothingWasReset() throws Exception {
    RedisServer server = RedisServer.notStarted();
    try (RedisBackend backend = RedisBackend.connect(settings(server))) {
      assertThatThrownBy(() -> backend.reset(KEY_START, "203.0.113.7"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("nothing was reset");
    }
  }
}
