package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.InFlightSlots;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.redisfixture.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * In-flight leases in a Redis of the test's own ({@link TestRedis}), with the script's now faked.
 */
class RedisInFlightSlotsTest {

  private static final long LEASE = InFlightSlots.LEASE_MILLIS;
  private static TestRedis server;
  private static RedisClient inspector;
  private static StatefulRedisConnection<String, String> inspection;
  private static RedisCommands<String, String> redis;
  private static final AtomicInteger unique = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    server = TestRedis.start();
    inspector = RedisServer.client(server.uri());
    inspection = inspector.connect();
    redis = inspection.sync();
  }

  @AfterAll
  static void stop() throws Exception {
    inspection.close();
    inspector.shutdown();
    server.close();
  }

  private static String key() {
    return "test-inflight:" + unique.incrementAndGet() + ":{client}";
  }

  /** The slots of a backend of this server, once Redis answers it. */
  private static RedisInFlightSlots slots(RedisBackend backend) {
    RedisInFlightSlots slots = backend.inFlightSlots();
    String probe = key();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    String lease;
    while ((lease = slots.tryAcquire(probe, 1)) == null) {
      assertThat(System.nanoTime()).as("connected within 15 s").isLessThan(deadline);
      RedisServer.sleep(10);
    }
    slots.release(probe, lease);
    return slots;
  }

  private static RedisBackend backend(RedisConfig.OnError onError, FakeClock clock) {
    return RedisBackend.connect(
        new RedisConfig(List.of(server.uri()), false, 5_000, onError),
        clock,
        new BlockedCache(RedisBackend.MAX_BLOCKED_KEYS));
  }

  @Test
  void takesAtMostTheLimitAcrossInstancesAndReleasesBySendingNoWait() throws Exception {
    FakeClock clock = FakeClock.atHourStart();
    clock.advance(3_600_000); // ahead of the real clock: the keys' PEXPIREAT is in the future
    try (RedisBackend one = backend(RedisConfig.OnError.DENY, clock);
        RedisBackend two = backend(RedisConfig.OnError.DENY, clock)) {
      assertThat(InFlightSlots.forBackend(one)).isInstanceOf(RedisInFlightSlots.class);
      RedisInFlightSlots first = slots(one);
      RedisInFlightSlots second = slots(two);
      String key = key();

      String a = first.tryAcquire(key, 2);
      String b = second.tryAcquire(key, 2);
      assertThat(a).isNotNull().isNotEqualTo(b);
      assertThat(b).isNotNull();
      assertThat(first.tryAcquire(key, 2)).isNull();
      assertThat(redis.zcard(key)).isEqualTo(2);

      first.release(key, a);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (redis.zcard(key) != 1) {
        assertThat(System.nanoTime()).as("released within 15 s").isLessThan(deadline);
        RedisServer.sleep(10);
      }
      assertThat(second.tryAcquire(key, 2)).isNotNull();
      assertThat(redis.pttl(key)).isPositive();
    }
  }

  @Test
  void aLeaseNeverReleasedExpires() throws Exception {
    FakeClock clock = FakeClock.atHourStart();
    clock.advance(3_600_000);
    try (RedisBackend backend = backend(RedisConfig.OnError.DENY, clock)) {
      RedisInFlightSlots slots = slots(backend);
      String key = key();
      assertThat(slots.tryAcquire(key, 1)).isNotNull();
      assertThat(slots.tryAcquire(key, 1)).isNull();

      clock.advance(LEASE + 1); // the instance that held it crashed: nobody releases it

      assertThat(slots.tryAcquire(key, 1)).isNotNull();
      assertThat(redis.zcard(key)).isEqualTo(1);
    }
  }

  @Test
  void theConfiguredLeaseIsHowLongASlotIsHeld() throws Exception {
    FakeClock clock = FakeClock.atHourStart();
    clock.advance(3_600_000);
    RedisConfig tenSeconds =
        new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY)
            .withInFlightLease(10_000);
    try (RedisBackend backend =
        RedisBackend.connect(tenSeconds, clock, new BlockedCache(RedisBackend.MAX_BLOCKED_KEYS))) {
      RedisInFlightSlots slots = slots(backend);
      String key = key();
      assertThat(slots.tryAcquire(key, 1)).isNotNull();

      clock.advance(9_999);
      assertThat(slots.tryAcquire(key, 1)).as("held for the lease").isNull();
      clock.advance(2); // past 10 s, far short of the default minute

      assertThat(slots.tryAcquire(key, 1)).isNotNull();
    }
  }

  @Test
  void whenRedisCannotAnswerOnErrorDecides() throws Exception {
    RedisServer down = RedisServer.notStarted();
    FakeClock clock = FakeClock.atHourStart();
    for (RedisConfig.OnError onError : RedisConfig.OnError.values()) {
      try (RedisBackend backend =
          RedisBackend.connect(
              new RedisConfig(List.of(down.uri()), false, 100, onError),
              clock,
              new BlockedCache(RedisBackend.MAX_BLOCKED_KEYS))) {
        RedisInFlightSlots slots = backend.inFlightSlots();
        String first = slots.tryAcquire("k:{c}", 1);
        String second = slots.tryAcquire("k:{c}", 1);
        switch (onError) {
          case ALLOW:
            assertThat(first).isEqualTo(InFlightSlots.NO_SLOT);
            assertThat(second).isEqualTo(InFlightSlots.NO_SLOT);
            break;
          case DENY:
            assertThat(first).isNull();
            break;
          default: // LOCAL: exact in this instance's memory
            assertThat(first).isNotNull().isNotEmpty();
            assertThat(second).isNull();
            slots.release("k:{c}", first);
            assertThat(slots.tryAcquire("k:{c}", 1)).isNotNull();
        }
      }
    }
    down.close();
  }
}
