package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code bucket.lua}'s short call (the cost and the caller's time only when they say something; a
 * three-element answer when admitted): each argument shape decides as the memory backend does, and
 * during a rolling upgrade instances still calling the five-argument script of the version before
 * (a test resource, its own SHA) share every bucket's count with this one.
 */
class OneChargeCallTest {

  /** 2100-01-01: a multiple of every window, ahead of real time so no key expires meanwhile. */
  private static final long BASE = 4_102_444_800_000L;

  private static final long WINDOW = 60_000;
  private static final String PREVIOUS = BucketScript.load("bucket-five-arguments.lua");
  private static final FakeClock clock = new FakeClock(BASE);
  private static final AtomicInteger unique = new AtomicInteger();
  private static RedisServer server;
  private static RedisBackend faked;
  private static RedisBackend redisTime;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> commands;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServer.start();
    RedisConfig config =
        new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY);
    faked = RedisBackend.connect(config, clock, new BlockedCache(0));
    redisTime = RedisBackend.connect(config, RedisClock.SYSTEM, new BlockedCache(0));
    RedisBackendTest.awaitConnected(faked);
    RedisBackendTest.awaitConnected(redisTime);
    client = RedisServer.client(server.uri());
    connection = client.connect();
    commands = connection.sync();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    connection.close();
    client.shutdown();
    faked.close();
    redisTime.close();
    server.close();
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void aCostAboveOneWithRedisTimeIsChargedInFull(Algorithm algorithm) {
    Charge[] three = {charge(algorithm, 3)};
    Outcome first = redisTime.acquire(three)[0];
    assertThat(first.allowed()).isTrue();
    assertThat(first.remaining()).isEqualTo(2);
    assertThat(first.retryAfterMillis()).isZero();
    Outcome second = redisTime.acquire(three)[0];
    assertThat(second.allowed()).isFalse();
    assertThat(second.remaining()).isEqualTo(2);
    assertThat(second.retryAfterMillis()).isPositive();
    assertThat(second.resetAtMillis()).isGreaterThan(second.decidedAtMillis());
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void thePreviousCallShapeAndThisOneShareTheCount(Algorithm algorithm) {
    Charge charge = charge(algorithm, 1);
    Charge[] one = {charge};
    MemoryBackend memory = new MemoryBackend(clock::get, 100);
    for (int step = 0; step < 8; step++) {
      clock.set(BASE + 1_000L * step);
      String expected = describe(memory.acquire(one)[0]);
      String answered =
          step % 2 == 0 ? describe(previous(charge, clock.get())) : describe(faked.acquire(one)[0]);
      assertThat(answered).as("step %d", step).isEqualTo(expected);
    }
  }

  private static Charge charge(Algorithm algorithm, long cost) {
    return Charges.charge(
        "call:" + unique.incrementAndGet() + ":{client}", 5, WINDOW, cost, algorithm, false);
  }

  /** The version before's call: now, algorithm, limit, window, cost; five integers back. */
  private static Outcome previous(Charge charge, long now) {
    List<Long> answer =
        commands.eval(
            PREVIOUS,
            ScriptOutputType.MULTI,
            new String[] {charge.key()},
            Long.toString(now),
            BucketScript.algorithmCode(charge),
            Long.toString(charge.limit()),
            Long.toString(charge.windowMillis()),
            Long.toString(charge.cost()));
    return new Outcome(
        answer.get(0) == 1L, answer.get(1), answer.get(2), answer.get(3), answer.get(4));
  }

  private static String describe(Outcome outcome) {
    return (outcome.allowed() ? "A " : "B ")
        + outcome.remaining()
        + ' '
        + (outcome.resetAtMillis() - BASE)
        + ' '
        + outcome.retryAfterMillis()
        + " at "
        + (outcome.decidedAtMillis() - BASE);
  }
}
