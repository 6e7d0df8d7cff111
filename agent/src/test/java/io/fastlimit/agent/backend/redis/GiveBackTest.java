package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Backend;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.fastlimit.redisfixture.TestRedis;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Giving back an admitted charge (count: failures), for every algorithm in both backends with the
 * same steps: what was given back can be used again, never more, and a charge whose window has
 * moved on gives nothing back that it no longer holds.
 */
class GiveBackTest {

  private static final long MINUTE = 60_000;

  /** 2100-01-01: a multiple of every window, ahead of real time so no key expires meanwhile. */
  private static final long BASE = 4_102_444_800_000L;

  private static final FakeClock clock = new FakeClock(BASE);
  private static final AtomicInteger unique = new AtomicInteger();
  private static TestRedis server;
  private static RedisBackend redis;

  /** Windows and token buckets by plain commands, the sliding log by the scripts. */
  private static RedisBackend redisCommands;

  enum Store {
    MEMORY,
    REDIS,
    REDIS_COMMANDS
  }

  @BeforeAll
  static void startRedis() throws Exception {
    server = TestRedis.start();
    redis =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY),
            clock,
            new BlockedCache(RedisBackend.MAX_BLOCKED_KEYS));
    RedisBackendTest.awaitConnected(redis);
    redisCommands =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY)
                .withCounting(Algorithm.FIXED_WINDOW, RedisConfig.Counting.COMMANDS)
                .withCounting(Algorithm.SLIDING_WINDOW, RedisConfig.Counting.COMMANDS)
                .withCounting(Algorithm.TOKEN_BUCKET, RedisConfig.Counting.COMMANDS),
            clock,
            new BlockedCache(RedisBackend.MAX_BLOCKED_KEYS));
    RedisBackendTest.awaitConnected(redisCommands);
    RedisServer.loadGiveBack(server.uri());
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
    redisCommands.close();
    server.close();
  }

  /** One backend of the kind, with its own keys, at the test's base time. */
  private static Backend backend(Store store) {
    clock.set(BASE);
    return store == Store.MEMORY
        ? new MemoryBackend(clock::get, 10_000)
        : store == Store.REDIS ? redis : redisCommands;
  }

  private static Charge charge(Algorithm algorithm, long limit) {
    return Charges.charge(
        "giveback:" + unique.incrementAndGet() + ":{client}", limit, MINUTE, 1, algorithm, false);
  }

  private static void giveBack(Backend backend, Charge charge, long chargedAt) {
    backend.giveBack(new Charge[] {charge}, new long[] {chargedAt});
  }

  /** Charges until the limit is used (every one admitted); returns the last outcome. */
  private static Outcome useUp(Backend backend, Charge charge, long limit) {
    Outcome last = null;
    for (int i = 0; i < limit; i++) {
      last = backend.acquire(charge);
      assertThat(last.allowed()).as("attempt %d of %d", i + 1, limit).isTrue();
    }
    return last;
  }

  @ParameterizedTest(name = "{0} {1}")
  @EnumSource(Algorithm.class)
  void aGivenBackChargeCanBeUsedOnceMore(Algorithm algorithm) throws Exception {
    for (Store store : Store.values()) {
      Backend backend = backend(store);
      Charge charge = charge(algorithm, 3);
      Outcome first = backend.acquire(charge);
      useUp(backend, charge, 2);
      giveBack(backend, charge, first.decidedAtMillis());
      Outcome again = backend.acquire(charge);
      assertThat(again.allowed()).as(store + ": the given-back unit").isTrue();
      assertThat(again.remaining()).as(store.toString()).isZero();
      assertThat(backend.acquire(charge).allowed()).as(store + ": and no more").isFalse();
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @EnumSource(Algorithm.class)
  void givingBackTwiceNeverGivesMoreThanWasTaken(Algorithm algorithm) throws Exception {
    for (Store store : Store.values()) {
      Backend backend = backend(store);
      Charge charge = charge(algorithm, 2);
      Outcome first = backend.acquire(charge);
      giveBack(backend, charge, first.decidedAtMillis());
      giveBack(backend, charge, first.decidedAtMillis()); // a second time: nothing left to give
      useUp(backend, charge, 2);
      assertThat(backend.acquire(charge).allowed()).as(store.toString()).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Store.class)
  void aFixedWindowChargeFromAnEndedWindowGivesNothingBack(Store store) throws Exception {
    Backend backend = backend(store);
    Charge charge = charge(Algorithm.FIXED_WINDOW, 2);
    Outcome old = backend.acquire(charge);
    clock.advance(MINUTE); // the next window: the old charge is gone already
    useUp(backend, charge, 2);
    giveBack(backend, charge, old.decidedAtMillis());
    assertThat(backend.acquire(charge).allowed()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Store.class)
  void aSlidingWindowChargeGivesBackFromThePreviousWindow(Store store) throws Exception {
    Backend backend = backend(store);
    Charge charge = charge(Algorithm.SLIDING_WINDOW, 2);
    Outcome first = backend.acquire(charge);
    backend.acquire(charge);
    clock.advance(MINUTE); // the previous window counts in full at the very start of the next
    assertThat(backend.acquire(charge).allowed()).isFalse();
    // past the second Redis's backend believes a block without asking (BlockedCache)
    clock.advance(BlockedCache.TRUSTED_FOR_MILLIS + 1);
    giveBack(backend, charge, first.decidedAtMillis());
    assertThat(backend.acquire(charge).allowed()).as("the unit given back").isTrue();
    assertThat(backend.acquire(charge).allowed()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Store.class)
  void aSlidingLogGivesBackTheEntryOfItsOwnTimeOnly(Store store) throws Exception {
    Backend backend = backend(store);
    Charge charge = charge(Algorithm.SLIDING_LOG, 2);
    Outcome first = backend.acquire(charge);
    clock.advance(10_000);
    backend.acquire(charge);
    giveBack(backend, charge, first.decidedAtMillis());
    clock.advance(1_000);
    Outcome third = backend.acquire(charge);
    assertThat(third.allowed()).isTrue();
    clock.advance(MINUTE - 11_000 + 1); // the second request's entry is still in the window
    Outcome fourth = backend.acquire(charge);
    assertThat(fourth.allowed())
        .as("the first request's entry was removed, the second's stayed")
        .isFalse();
    clock.advance(10_000); // now the second request's entry left
    assertThat(backend.acquire(charge).allowed()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Store.class)
  void aTokenBucketNeverHoldsMoreThanItsCapacity(Store store) throws Exception {
    Backend backend = backend(store);
    Charge charge = charge(Algorithm.TOKEN_BUCKET, 2);
    Outcome first = backend.acquire(charge);
    clock.advance(MINUTE); // refilled to the full capacity meanwhile
    giveBack(backend, charge, first.decidedAtMillis());
    useUp(backend, charge, 2);
    assertThat(backend.acquire(charge).allowed()).isFalse();
  }

  /**
   * Token bucket, 1 a minute: A (count: failures) is charged and still running when the bucket has
   * refilled; B takes the refilled token; A then ends in success and is given back. Without A the
   * bucket would hold nothing now (full again a minute after A, and B took that), so C is refused:
   * the give-back refunds only what the refill since A's charge could not have restored.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Store.class)
  void aTokenGivenBackAfterTheBucketRefilledIsNotAnExtraToken(Store store) {
    Backend backend = backend(store);
    Charge charge = charge(Algorithm.TOKEN_BUCKET, 1);
    Outcome a = backend.acquire(charge);
    assertThat(a.allowed()).isTrue();
    clock.advance(MINUTE); // full again
    assertThat(backend.acquire(charge).allowed()).as("B").isTrue();
    clock.advance(BlockedCache.TRUSTED_FOR_MILLIS + 1); // Redis is asked, not the blocked cache
    giveBack(backend, charge, a.decidedAtMillis());
    assertThat(backend.acquire(charge).allowed())
        .as(store + ": C, a second request within a second from a bucket of 1 a minute")
        .isFalse();
  }

  /**
   * Limit 2. Y opens the bucket's next window; X, timed a millisecond before it (it read the clock
   * just before the window ended and reached the bucket after Y), counts in Y's window. X ends in
   * success and is given back: from the window it counted in, so a third request is admitted. (At
   * X's own time the give-back found that window gone, and X stayed counted.)
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Algorithm.class,
      names = {"FIXED_WINDOW", "SLIDING_WINDOW", "SLIDING_LOG"})
  void aLateRequestIsGivenBackFromTheWindowItCountedIn(Algorithm algorithm) {
    for (Store store : Store.values()) {
      Backend backend = backend(store);
      Charge charge = charge(algorithm, 2);
      clock.set(BASE + MINUTE);
      assertThat(backend.acquire(charge).allowed()).as(store + ": Y").isTrue();
      clock.set(BASE + MINUTE - 1);
      Outcome x = backend.acquire(charge);
      assertThat(x.allowed()).as(store + ": X").isTrue();
      giveBack(backend, charge, charge.countedAtMillis(x));
      clock.set(BASE + MINUTE + 1);
      assertThat(backend.acquire(charge).allowed()).as(store + ": a third request").isTrue();
      assertThat(backend.acquire(charge).allowed()).as(store + ": and no more").isFalse();
    }
  }

  /**
   * A (count: failures) is charged; an operator then unblocks the client, who uses its whole limit
   * afresh; then A ends in success and is given back. The reset already forgot A's charge, so the
   * give-back must not take one of the new ones away (the client would get limit + 1).
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Algorithm.class)
  void aChargeFromBeforeAResetIsNotGivenBackFromTheCountsAfterIt(Algorithm algorithm) {
    for (Store store : Store.values()) {
      Backend backend = backend(store);
      Charge charge = charge(algorithm, 2);
      Outcome a = backend.acquire(charge);
      clock.advance(1);
      assertThat(backend.reset(charge.keyStart(), charge.client(), MINUTE)).isTrue();
      clock.advance(1);
      useUp(backend, charge, 2);
      clock.advance(BlockedCache.TRUSTED_FOR_MILLIS + 1); // Redis is asked, not the blocked cache
      giveBack(backend, charge, a.decidedAtMillis());
      assertThat(backend.acquire(charge).allowed())
          .as(store + ": a third request after the reset, limit 2")
          .isFalse();
    }
  }
}
