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
 * A rolling upgrade: buckets written by the script of the versions before issue 15 (the text state
 * "algorithm a b c", kept as a test resource) are read by today's scripts, the one-charge and the
 * general one, and given back by today's give-back, with the counts they hold: the same outcomes as
 * the memory backend charged with the same steps.
 */
class StateFormatUpgradeTest {

  /** 2100-01-01: a multiple of every window, ahead of real time so no key expires meanwhile. */
  private static final long BASE = 4_102_444_800_000L;

  private static final long WINDOW = 60_000;
  private static final String OLD_SCRIPT = BucketScript.load("buckets-text-state.lua");
  private static final FakeClock clock = new FakeClock(BASE);
  private static final AtomicInteger unique = new AtomicInteger();
  private static RedisServer server;
  private static RedisBackend redis;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> commands;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServer.start();
    redis =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY),
            clock,
            new BlockedCache(0));
    RedisBackendTest.awaitConnected(redis);
    client = RedisServer.client(server.uri());
    connection = client.connect();
    commands = connection.sync();
    // as after the first EVAL: a give-back is then one command on the backend's connection,
    // which Redis answers before the next charge sent on it
    commands.scriptLoad(GiveBackScript.TEXT);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    connection.close();
    client.shutdown();
    redis.close();
    server.close();
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void oneChargeContinuesTheCountOfTheOldState(Algorithm algorithm) {
    Charge charge = charge(algorithm);
    MemoryBackend memory = new MemoryBackend(clock::get, 100);
    chargeBoth(memory, charge, BASE);
    chargeBoth(memory, charge, BASE + 1_000);
    if (algorithm != Algorithm.SLIDING_LOG) {
      assertThat(commands.get(charge.key())).as("the old text state").matches("\\d( \\d+){3}");
    }

    clock.set(BASE + 2_000);
    Charge[] one = {charge};
    assertThat(describe(redis.acquire(one))).isEqualTo(describe(memory.acquire(one)));
    assertThat(describe(redis.acquire(one))).isEqualTo(describe(memory.acquire(one)));
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void severalChargesContinueTheCountOfTheOldState(Algorithm algorithm) {
    Charge old = charge(algorithm);
    Charge fresh = charge(algorithm);
    MemoryBackend memory = new MemoryBackend(clock::get, 100);
    chargeBoth(memory, old, BASE);
    chargeBoth(memory, old, BASE + 1_000);

    clock.set(BASE + 2_000);
    Charge[] both = {old, fresh};
    assertThat(describe(redis.acquire(both))).isEqualTo(describe(memory.acquire(both)));
    assertThat(describe(redis.acquire(both))).isEqualTo(describe(memory.acquire(both)));
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void giveBackTakesBackFromTheOldState(Algorithm algorithm) throws Exception {
    Charge charge = charge(algorithm);
    MemoryBackend memory = new MemoryBackend(clock::get, 100);
    chargeBoth(memory, charge, BASE);
    chargeBoth(memory, charge, BASE + 1_000);

    Charge[] one = {charge};
    long[] at = {BASE + 1_000};
    redis.giveBack(one, at); // answered before the next charge: the script is loaded (see above)
    memory.giveBack(one, at);
    clock.set(BASE + 2_000);
    assertThat(describe(redis.acquire(one))).isEqualTo(describe(memory.acquire(one)));
  }

  private static Charge charge(Algorithm algorithm) {
    return Charges.charge(
        "upgrade:" + unique.incrementAndGet() + ":{client}", 5, WINDOW, 1, algorithm, false);
  }

  /** One charge at {@code time}: by the old script in Redis, and in memory. */
  private static void chargeBoth(MemoryBackend memory, Charge charge, long time) {
    clock.set(time);
    List<Long> answer =
        commands.eval(
            OLD_SCRIPT,
            ScriptOutputType.MULTI,
            new String[] {charge.key()},
            Long.toString(time),
            BucketScript.algorithmCode(charge),
            Long.toString(charge.limit()),
            Long.toString(charge.windowMillis()),
            Long.toString(charge.cost()),
            "0");
    Outcome[] expected = memory.acquire(new Charge[] {charge});
    assertThat(answer.get(0)).as("admitted by the old script").isEqualTo(1L);
    assertThat(expected[0].allowed()).as("admitted in memory").isTrue();
  }

  private static String describe(Outcome[] outcomes) {
    StringBuilder text = new StringBuilder();
    for (Outcome outcome : outcomes) {
      text.append(outcome.allowed() ? "A " : "B ")
          .append(outcome.remaining())
          .append(' ')
          .append(outcome.resetAtMillis() - BASE)
          .append(' ')
          .append(outcome.retryAfterMillis())
          .append("; ");
    }
    return text.toString();
  }
}
