package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link RedisTime}: Redis's clock as sampled, carried forward by this JVM's monotonic clock. */
class RedisTimeTest {

  private static final long REDIS = 1_800_000_000_000L;

  @Test
  void beforeASampleTheInstancesOwnClock() {
    FakeClock clock = new FakeClock(5_000);
    RedisTime time = new RedisTime(clock, commands -> CompletableFuture.completedFuture(REDIS));
    assertThat(time.sampled()).isFalse();
    assertThat(time.millis()).isEqualTo(5_000);
    RedisTime none = new RedisTime(clock, null);
    none.sample((StatefulConnection<String, String>) null);
    assertThat(none.millis()).as("no sampler: always its own").isEqualTo(5_000);
  }

  @Test
  void aSampleIsCarriedForwardByTheMonotonicClock() {
    FakeClock clock = new FakeClock(5_000);
    // Redis answers 4 ms after the question: its TIME is placed at the midpoint, 2 ms in
    RedisTime time =
        new RedisTime(
            clock,
            commands -> {
              clock.advance(4);
              return CompletableFuture.completedFuture(REDIS);
            });
    time.sample(noCommands());
    assertThat(time.sampled()).isTrue();
    assertThat(time.millis()).isEqualTo(REDIS + 2);
    clock.advance(1_000);
    assertThat(time.millis()).isEqualTo(REDIS + 1_002);
  }

  @Test
  void aSlowAnswerIsNotTakenUnlessFirstAfterAConnectAndAFailureKeepsTheLastSample() {
    FakeClock clock = new FakeClock(5_000);
    AtomicLong roundTrip = new AtomicLong(0);
    AtomicLong redis = new AtomicLong(REDIS);
    RedisTime time = sampling(clock, roundTrip, redis);
    time.sample(noCommands());
    long before = time.millis();
    // a slow answer does not replace a faster sample (while none is held it is taken: review 3)
    roundTrip.set(RedisTime.MAX_ROUND_TRIP_MILLIS + 1);
    redis.set(REDIS + 3_600_000);
    time.sample(noCommands());
    assertThat(time.millis())
        .as("too slow to replace the sample held")
        .isEqualTo(before + RedisTime.MAX_ROUND_TRIP_MILLIS + 1);
    // unless it is the first after a (re)connect, which may have reached another server with
    // another clock: placed at its round trip's midpoint (10.5 ms in, read as 10)
    time.sample(noCommands(), true);
    assertThat(time.millis())
        .as("the first after a connect is taken however slow")
        .isEqualTo(REDIS + 3_600_000 + (RedisTime.MAX_ROUND_TRIP_MILLIS + 1) / 2);
    roundTrip.set(0);
    before = time.millis();
    redis.set(-1);
    time.sample(noCommands());
    assertThat(time.millis()).as("the last sample stays").isEqualTo(before);
  }

  /**
   * In production the window counters follow Redis's {@code TIME}: an instance whose clock is an
   * hour off still places its windows by Redis's clock once it has sampled it.
   */
  @Test
  void aBackendWithWindowCountersSamplesRedissTime() throws Exception {
    long hour = 3_600_000;
    RedisClock anHourAhead =
        new RedisClock() {
          @Override
          public long nanos() {
            return System.nanoTime();
          }

          @Override
          public long millis() {
            return System.currentTimeMillis() + hour;
          }

          @Override
          public String scriptNow() {
            return "";
          }
        };
    try (RedisServer server = RedisServer.start();
        RedisBackend backend =
            RedisBackend.connect(
                new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY)
                    .withCounting(Algorithm.FIXED_WINDOW, RedisConfig.Counting.COMMANDS),
                anHourAhead,
                new BlockedCache(0),
                RedisTime.Sampler.TIME)) {
      RedisBackendTest.awaitConnected(backend);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!backend.time().sampled() && System.nanoTime() < deadline) {
        backend.sampleTime(); // a loaded machine may answer slower than a sample is taken
        RedisServer.sleep(20);
      }
      assertThat(backend.time().sampled()).as("sampled within 30 s").isTrue();
      long redisNow = System.currentTimeMillis(); // the redis-server runs on this machine
      assertThat(Math.abs(backend.time().millis() - redisNow))
          .as("Redis's time, not the instance's clock an hour ahead")
          .isLessThan(hour / 2);
    }
  }

  /**
   * Time whose Redis answers {@code redis} (a negative value: a refusal) after {@code roundTrip} ms
   * of {@code clock}.
   */
  private static RedisTime sampling(FakeClock clock, AtomicLong roundTrip, AtomicLong redis) {
    return new RedisTime(
        clock,
        commands -> {
          clock.advance(roundTrip.get());
          return redis.get() < 0
              ? CompletableFuture.failedFuture(new IllegalStateException("NOPERM"))
              : CompletableFuture.completedFuture(redis.get());
        });
  }

  /** A sampler under test ignores the connection; RedisTime only needs it not null. */
  @SuppressWarnings("unchecked")
  static RedisClusterAsyncCommands<String, String> noCommands() {
    return (RedisClusterAsyncCommands<String, String>)
        Proxy.newProxyInstance(
            RedisTimeTest.class.getClassLoader(),
            new Class<?>[] {RedisClusterAsyncCommands.class},
            (proxy, method, args) -> {
              throw new UnsupportedOperationException(method.getName());
            });
  }
}
