package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.observe.CapturedLog;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The counters' keys' expiries on Redis 7.0 or later ({@link Expiry}): a window's key gets its
 * expiry once, from the charge that made it; a token bucket's moves with it, stepped, never
 * shortened, and a new one gets one after its {@code ZADD}; no key is left without one when the
 * answers never come or a server refuses the flags.
 */
class ExpiryTest {

  private static final long MINUTE = 60_000;

  /** 2100-01-01, a multiple of every window and step. */
  private static final long BASE = 4_102_444_800_000L;

  private static final FakeClock clock = new FakeClock(BASE);

  private static final AtomicInteger unique = new AtomicInteger();
  private static CountersFixture counters;
  private static RedisBackend backend;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> redis;

  @BeforeAll
  static void startRedis() throws Exception {
    counters =
        CountersFixture.start(
            clock, Algorithm.FIXED_WINDOW, Algorithm.SLIDING_WINDOW, Algorithm.TOKEN_BUCKET);
    backend = counters.backend;
    connection = counters.connection;
    redis = counters.redis;
  }

  @AfterAll
  static void stopRedis() throws Exception {
    counters.close();
  }

  @AfterEach
  void clockBack() {
    clock.set(BASE);
  }

  private static Charge charge(long limit, Algorithm algorithm) {
    return Charges.charge(
        "expiry:" + unique.incrementAndGet() + ":{client}", limit, MINUTE, 1, algorithm, false);
  }

  /** The key's time to live once it has one (a token bucket's comes after its ZADD's answer). */
  private static long ttlOnceSet(String key) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long ttl = redis.pttl(key);
    while (ttl == -1 && System.nanoTime() < deadline) {
      RedisServer.sleep(5);
      ttl = redis.pttl(key);
    }
    return ttl;
  }

  @Test
  void aWindowsKeyKeepsTheExpiryOfTheChargeThatMadeIt() {
    Charge charge = charge(10, Algorithm.FIXED_WINDOW);
    String key = WindowCounters.key(charge, BASE);
    assertThat(backend.acquire(charge).allowed()).isTrue();
    assertThat(ttlOnceSet(key)).isBetween(MINUTE, MINUTE + WindowCounters.GRACE_MILLIS);

    // 30 s later by this instance's clock: a plain PEXPIRE would set 32 s
    clock.advance(30_000);
    redis.configResetstat();
    assertThat(backend.acquire(charge).remaining()).isEqualTo(8);

    assertThat(RedisServer.calls(redis, "pexpire")).as("sent with every charge").isEqualTo(1);
    assertThat(redis.pttl(key)).as("NX: the first expiry stays").isGreaterThan(45_000);
  }

  @Test
  void aSlidingWindowsKeyLivesUntilTheNextWindowEndsFromTheChargeThatMadeIt() {
    Charge charge = charge(10, Algorithm.SLIDING_WINDOW);
    String key = WindowCounters.key(charge, BASE);
    assertThat(backend.acquire(charge).allowed()).isTrue();
    assertThat(ttlOnceSet(key))
        .isBetween(MINUTE + 10_000, 2 * MINUTE + WindowCounters.GRACE_MILLIS);

    clock.advance(50_000);
    assertThat(backend.acquire(charge).remaining()).isEqualTo(8);

    assertThat(redis.pttl(key)).as("NX: the first expiry stays").isGreaterThan(100_000);
  }

  @Test
  void aNewTokenBucketsKeyGetsAnExpiryAfterItsZadd() {
    Charge charge = charge(10, Algorithm.TOKEN_BUCKET);
    assertThat(backend.acquire(charge).allowed()).isTrue();

    // GT sets none on a key without one: the plain PEXPIRE after the ZADD that made it does
    long ttl = TokenCounter.ttl(charge);
    assertThat(ttlOnceSet(TokenCounter.key(charge))).isBetween(ttl, ttl + Expiry.step(ttl));
  }

  @Test
  void aTokenBucketsExpiryIsNeverShortened() {
    Charge charge = charge(10, Algorithm.TOKEN_BUCKET);
    String key = TokenCounter.key(charge);
    assertThat(backend.acquire(charge).allowed()).isTrue();
    ttlOnceSet(key);
    redis.pexpire(key, 86_400_000); // as a charge of a longer-lived rule left it

    assertThat(backend.acquire(charge).allowed()).isTrue();

    assertThat(redis.pttl(key)).isGreaterThan(86_000_000);
  }

  @Test
  void aTokenBucketsExpiryMovesWhenItWouldEndBeforeTheBucketIsFull() {
    Charge charge = charge(10, Algorithm.TOKEN_BUCKET);
    String key = TokenCounter.key(charge);
    assertThat(backend.acquire(charge).allowed()).isTrue();
    ttlOnceSet(key);
    redis.pexpire(key, 5_000); // too soon for a bucket a minute from full

    clock.advance(Expiry.step(TokenCounter.ttl(charge))); // the next step
    assertThat(backend.acquire(charge).remaining()).as("refilled in between").isEqualTo(9);

    assertThat(redis.pttl(key)).isGreaterThan(MINUTE);
  }

  @Test
  void chargesWithinOneStepAskForTheSameEnd() {
    for (long ttl : new long[] {3_100, 62_345, 86_402_000}) {
      long step = Expiry.step(ttl);
      assertThat(step).isEqualTo(Math.max(1_000, ttl / 8));
      for (long now : new long[] {BASE, BASE + 1, BASE + step - 1, BASE - 1, 17, 0, -1, -1_000}) {
        long stepped = Expiry.stepped(ttl, now);
        long stepEnd = Math.floorDiv(now, step) * step + step;
        assertThat(now + stepped).as("ttl %d at %d", ttl, now).isEqualTo(stepEnd + ttl);
        assertThat(stepped).as("ttl %d at %d", ttl, now).isBetween(ttl + 1, ttl + step);
      }
    }
  }

  /**
   * A request that stops waiting: its key gets an expiry once Redis runs its commands. Here both
   * ways give it one (Lettuce still reads a cancelled command's answer, so the {@code ZADD}'s sends
   * the plain {@code PEXPIRE}); the one sent on the failure is for an answer lost with its
   * connection, which Lettuce does not send again for a cancelled command.
   */
  @Test
  void aTokenChargeWhoseAnswersNeverCameLeavesItsKeyWithAnExpiry() throws Exception {
    Charge charge = charge(10, Algorithm.TOKEN_BUCKET);
    String key = TokenCounter.key(charge);
    WindowCounters counters =
        new WindowCounters(clock, new RedisTime(clock, null), false, false, true)
            .withExpiry(Expiry.withFlags(() -> {}));
    redis.clientPause(500); // every client's commands wait half a second
    WindowCounters.Sent sent = counters.submit(connection, new Charge[] {charge});

    assertThatThrownBy(() -> WindowCounters.await(sent, System.nanoTime()))
        .isInstanceOf(TimeoutException.class);

    assertThat(ttlOnceSet(key)).as("the key, made once Redis ran the ZADD").isPositive();
  }

  @Test
  void aServerThatRefusesTheFlagsLeavesNoKeyWithoutAnExpiry() throws Exception {
    Charge window = charge(10, Algorithm.FIXED_WINDOW);
    Charge tokens = charge(10, Algorithm.TOKEN_BUCKET);
    AtomicInteger backToPlain = new AtomicInteger();
    WindowCounters counters =
        new WindowCounters(clock, new RedisTime(clock, null), true, false, true)
            .withExpiry(Expiry.withFlags(backToPlain::incrementAndGet, "NOT-NX", "NOT-GT"));
    CapturedLog log = new CapturedLog();
    log.start();
    try {
      WindowCounters.Sent sent = counters.submit(connection, new Charge[] {window, tokens});
      WindowCounters.await(sent, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
      connection.sync().ping(); // after the plain PEXPIREs sent on the answers
    } finally {
      log.stop();
    }

    assertThat(ttlOnceSet(WindowCounters.key(window, BASE))).isPositive();
    assertThat(ttlOnceSet(TokenCounter.key(tokens))).isPositive();
    assertThat(backToPlain.get()).as("each refusal turns the backend back").isEqualTo(2);
    assertThat(log.text()).contains("refused PEXPIRE with NX or GT").contains("NOT-NX");
  }

  @Test
  void theFlagsAreUsedFromRedis70On() {
    assertThat(ServerVersion.atLeast("7.0.15", 7, 0)).isTrue();
    assertThat(ServerVersion.atLeast("7.2.4", 7, 0)).isTrue();
    assertThat(ServerVersion.atLeast("10.0.0", 7, 0)).isTrue();
    assertThat(ServerVersion.atLeast("6.2.14", 7, 0)).isFalse();
    assertThat(ServerVersion.atLeast("5", 7, 0)).isFalse();
    assertThat(ServerVersion.atLeast("unknown", 7, 0)).as("not a version").isFalse();
    assertThat(ServerVersion.atLeast(null, 7, 0)).as("none named").isFalse();
    assertThat(ServerVersion.named("# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone"))
        .isEqualTo("7.0.15");
    assertThat(ServerVersion.named(redis.info("server")))
        .satisfies(version -> assertThat(ServerVersion.atLeast(version, 7, 0)).isTrue());
  }
}
