package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** Review of {@code redis.token-bucket: commands}: cases that broke it. */
class TokenCounterReviewTest {

  /** 2100-01-01: no key expires while the test runs, whatever the fake clock says. */
  private static final long BASE = 4_102_444_800_000L;

  private static final FakeClock clock = new FakeClock(BASE);
  private static final AtomicInteger unique = new AtomicInteger();
  private static RedisServer server;
  private static RedisBackend backend;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> redis;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServer.start();
    backend =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY)
                .withCounting(Algorithm.TOKEN_BUCKET, RedisConfig.Counting.COMMANDS),
            clock,
            new BlockedCache(0));
    RedisBackendTest.awaitConnected(backend);
    client = RedisServer.client(server.uri());
    connection = client.connect();
    redis = connection.sync();
    RedisServer.loadGiveBack(server.uri());
  }

  @AfterAll
  static void stopRedis() throws Exception {
    backend.close();
    connection.close();
    client.shutdown();
    server.close();
  }

  private static String key() {
    return "review:" + unique.incrementAndGet() + ":{client}";
  }

  private static Charge tokens(String key, long limit, long window, long cost) {
    return Charges.charge(key, limit, window, cost, Algorithm.TOKEN_BUCKET, false);
  }

  /** Waits until the bucket's give-backs sent without waiting are in. */
  private static void settled() {
    redis.ping();
    RedisServer.sleep(50);
  }

  /**
   * A request charged a bucket that was full, and another of its buckets blocked it: its charge is
   * given back. If a later charge (another thread's, another instance's, a moment later) reaches
   * Redis before that give-back, its {@code ZADD GT} found the bucket's score raised by the blocked
   * request's charge and did not refill: the full give-back then takes away the refill that charge
   * should have been capped at, and the bucket holds more than its capacity.
   *
   * <p>2 a second: the bucket, full at t, has 2 tokens at t + 500 ms whatever was tried at t. Three
   * admitted at t + 500 is one more than the capacity. (At 1000 a second the same takes a give-back
   * 1 ms late.)
   */
  @Test
  void aBlockedRequestsGiveBackNeverLetsMoreThanTheCapacityThrough() throws Exception {
    String key = key();
    Charge charge = tokens(key, 2, 1_000, 1);
    WindowCounters counters =
        new WindowCounters(clock, new RedisTime(clock, null), false, false, true);
    long start = clock.get();
    try {
      // request 1: this bucket admits it, another of its buckets blocks it
      WindowCounters.Sent sent = counters.submit(connection, new Charge[] {charge});
      Outcome[] outcomes =
          WindowCounters.await(sent, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
      assertThat(outcomes[0].allowed()).isTrue();
      // half a second later, before request 1's give-back reaches Redis: the bucket is full
      clock.advance(500);
      int admitted = 0;
      admitted += backend.acquire(charge).allowed() ? 1 : 0;
      admitted += backend.acquire(charge).allowed() ? 1 : 0;
      assertThat(admitted).as("a full bucket of 2").isEqualTo(2);
      // request 1's give-back, as GroupDecision sends it when another bucket blocked the request
      WindowCounters.settle(connection.async(), sent, outcomes, false);
      settled();
      assertThat(backend.acquire(charge).allowed())
          .as("a third token at t + 500 ms, of a capacity of 2")
          .isFalse();
    } finally {
      clock.set(start);
    }
  }

  /**
   * A bucket's key is the rule's name and client, not its rate: a reload (or a rolling deploy, two
   * instances with two rates) that changes the rule's units refilled per ms reads the score in the
   * old units. Fewer units a ms than before read it as a debt of centuries, and every charge,
   * blocked too, renews the key's expiry: the client is blocked for as long as it keeps asking.
   */
  @Test
  void aRateChangedByAReloadDoesNotBlockTheClientForever() {
    String key = key();
    // 7 a second: 7 units a ms; then 10 a second: 1 unit a ms
    Charge before = tokens(key, 7, 1_000, 1);
    Charge after = tokens(key, 10, 1_000, 1);
    assertThat(TokenCounter.perMilli(before)).isEqualTo(7);
    assertThat(TokenCounter.perMilli(after)).isEqualTo(1);
    assertThat(backend.acquire(before).allowed()).isTrue();
    Outcome first = backend.acquire(after);
    assertThat(first.allowed()).as("the first request after the reload").isTrue();
    assertThat(first.retryAfterMillis()).isLessThanOrEqualTo(1_000);
  }

  /**
   * A key of another type at the bucket's key (left by something else): {@code ZADD} and {@code
   * ZINCRBY} fail with WRONGTYPE, while the pipelined {@code PEXPIRE} renews its expiry: as long as
   * the client keeps asking, the key never goes, and every request gets the {@code on-error} answer
   * (and counts as an outage of Redis). It holds nothing of the bucket: the bucket starts afresh,
   * as the scripts' state does over a key they cannot read.
   */
  @Test
  void aKeyOfAnotherTypeAtTheBucketsKeyDoesNotFailItForever() {
    String key = key();
    Charge charge = tokens(key, 10, 1_000, 1);
    redis.set(TokenCounter.key(charge), "something else");
    backend.acquire(charge); // may get the on-error answer
    settled();
    for (int i = 0; i < 3; i++) {
      clock.advance(1_000);
      try {
        Outcome later = backend.acquire(charge);
        assertThat(later.allowed()).as("a later request, " + i).isTrue();
        assertThat(later.counted()).as("counted in Redis").isTrue();
      } finally {
        clock.advance(-1_000);
      }
    }
  }

  /**
   * A client flooding a blocked bucket: each blocked charge is given back less the time from its
   * floor to the latest floor when its give-back runs, here the next millisecond's requests'. 100 a
   * second is 10 units a token, 1 unit refilled a ms: two blocked requests a ms keep 1 unit each, 2
   * units of debt a ms against 1 of refill. An exact token bucket (and the script, which charges no
   * blocked request) admits 100 a second of the flood; this one admits none for as long as the
   * flood lasts. The same loss comes from a clock a few ms ahead on another instance (its floors
   * are the latest): at 1000 a second a blocked request then keeps its whole token.
   */
  @Disabled(
      "known limit (README): the give-back bound keeps min(cost, latest floor - own floor) of every"
          + " blocked charge: a flood"
          + " of 2 a ms starves a 100/s bucket for good (0 admitted of the 200 an exact bucket"
          + " admits in 2 s); no small fix found that stays safe (see TokenCounterRefundModelTest)")
  @Test
  void aFloodWhileBlockedDoesNotStarveTheClient() throws Exception {
    String key = key();
    Charge charge = tokens(key, 100, 1_000, 1);
    WindowCounters counters =
        new WindowCounters(clock, new RedisTime(clock, null), false, false, true);
    long start = clock.get();
    try {
      for (int i = 0; i < 100; i++) {
        assertThat(backend.acquire(charge).allowed()).as("the full bucket, " + i).isTrue();
      }
      int admitted = 0;
      List<WindowCounters.Sent> previous = new java.util.ArrayList<>();
      List<Outcome> previousOutcomes = new java.util.ArrayList<>();
      for (int ms = 1; ms <= 2_000; ms++) {
        clock.advance(1);
        List<WindowCounters.Sent> sents = new java.util.ArrayList<>();
        List<Outcome> outcomes = new java.util.ArrayList<>();
        for (int j = 0; j < 2; j++) {
          WindowCounters.Sent sent = counters.submit(connection, new Charge[] {charge});
          Outcome outcome =
              WindowCounters.await(sent, System.nanoTime() + TimeUnit.SECONDS.toNanos(5))[0];
          sents.add(sent);
          outcomes.add(outcome);
          admitted += outcome.allowed() ? 1 : 0;
        }
        // the last ms's give-backs reach Redis after this ms's charges
        for (int j = 0; j < previous.size(); j++) {
          Outcome outcome = previousOutcomes.get(j);
          WindowCounters.settle(
              connection.async(), previous.get(j), new Outcome[] {outcome}, outcome.allowed());
        }
        previous = sents;
        previousOutcomes = outcomes;
      }
      settled();
      assertThat(admitted)
          .as("admitted of a flood of 2 a ms, 2 s at 100 a second")
          .isGreaterThanOrEqualTo(190);
    } finally {
      clock.set(start);
    }
  }
}
