package io.fastlimit.agent.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Charges;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.limit.LoginRequests;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.agent.rules.Algorithm;
import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.OffLoopDecision;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * count: failures on Redis: a request that Redis never counted, because {@code on-error} answered
 * it (allow, or this instance's memory with local), must not be given back to Redis when it ends in
 * success, even if Redis is healthy by then. Such a give-back takes away another request's count,
 * and one request more than the limit gets in. Both ways a request is answered by {@code on-error}
 * while Redis is healthy at its end: a saturated event loop that decides in place without asking
 * Redis, and an outage that ended before the request did. For the scripts and for the counters of
 * {@code redis.fixed-window: commands} and {@code redis.sliding-window: commands}. The answers of
 * on-error are not counted, whichever it is.
 */
class UncountedGiveBackTest {

  private static final Executor DROPPED = task -> {};
  private static final AtomicInteger unique = new AtomicInteger();

  /** A limit of 2 failures a day: a day, so that no window ends during a test. */
  private static final String RULES =
      "rules:\n  - path: /login\n    methods: [POST]\n    ip: 2/day\n    count: failures\n";

  /** What counts the rule's charges in Redis, and by which algorithm. */
  enum Counter {
    SCRIPT("fixed-window", null),
    FIXED_WINDOW_COMMANDS("fixed-window", Algorithm.FIXED_WINDOW),
    SLIDING_WINDOW_COMMANDS("sliding-window", Algorithm.SLIDING_WINDOW),
    TOKEN_BUCKET_COMMANDS("token-bucket", Algorithm.TOKEN_BUCKET);

    final String algorithm;

    /** The algorithm counted by commands, or null: the scripts count all. */
    final Algorithm byCommands;

    Counter(String algorithm, Algorithm byCommands) {
      this.algorithm = algorithm;
      this.byCommands = byCommands;
    }
  }

  private static final String CLIENT = "198.51.100.7";
  private static final Object REQUEST = LoginRequests.withHeader("X-Unused", "x");

  private static RedisServer shared;

  @BeforeAll
  static void start() throws Exception {
    shared = RedisServer.start();
    RedisServer.loadGiveBack(shared.uri());
  }

  @AfterAll
  static void stop() {
    shared.close();
  }

  static List<Arguments> modes() {
    List<Arguments> modes = new ArrayList<>();
    for (Counter counter : Counter.values()) {
      modes.add(Arguments.of(counter, RedisConfig.OnError.ALLOW));
      modes.add(Arguments.of(counter, RedisConfig.OnError.LOCAL));
    }
    return modes;
  }

  /**
   * A, decided in place on an event loop whose decision workers are saturated, is answered by
   * on-error without asking Redis; then B and C, failures, use the limit of 2 in Redis; then A ends
   * in success. A's charge was never in Redis: the third failure, D, is refused.
   */
  @ParameterizedTest(name = "{0} on-error {1}")
  @MethodSource("modes")
  void aRequestTheSaturatedEventLoopAnsweredIsNotGivenBackToRedis(
      Counter counter, RedisConfig.OnError onError) {
    try (RedisBackend backend = connect(shared, counter, onError, 5_000)) {
      awaitRedisAnswers(backend, shared);
      LimiterBridge bridge = bridge(shared, backend, counter);

      Verdict a = decidedOnASaturatedEventLoop(bridge.rules());
      assertThat(a.isBlocked()).as("A, answered by on-error %s", onError).isFalse();

      usesTheLimitInRedisAndRefusesAThirdFailureAfter(bridge, a);
    }
  }

  /**
   * A arrives while Redis is down and is answered by on-error; Redis comes back (empty: a restart),
   * and B and C, failures, use the limit of 2 there; then A ends in success, with Redis healthy
   * again. A's charge was never in Redis: the third failure, D, is refused.
   */
  @ParameterizedTest(name = "{0} on-error {1}")
  @MethodSource("modes")
  void aRequestAnsweredDuringAnOutageThatEndedBeforeItIsNotGivenBackToRedis(
      Counter counter, RedisConfig.OnError onError) throws Exception {
    RedisServer own = RedisServer.start();
    try (RedisBackend backend = connect(own, counter, onError, 1_000)) {
      awaitRedisAnswers(backend, own);
      LimiterBridge bridge = bridge(own, backend, counter);

      own.kill();
      Verdict a = decide(bridge);
      assertThat(a.isBlocked()).as("A, answered by on-error %s", onError).isFalse();

      own.restart();
      RedisServer.loadGiveBack(own.uri());
      awaitRedisAnswers(backend, own);

      usesTheLimitInRedisAndRefusesAThirdFailureAfter(bridge, a);
    } finally {
      own.close();
    }
  }

  /**
   * Whatever on-error answers, Redis did not count it: allow, deny, and local (counted in this
   * instance's memory, which a give-back to Redis does not reach) are all uncounted.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(RedisConfig.OnError.class)
  void everyOnErrorAnswerIsUncounted(RedisConfig.OnError onError) throws Exception {
    RedisServer down = RedisServer.notStarted();
    try (RedisBackend backend = connect(down, Counter.SCRIPT, onError, 1_000)) {
      Charge[] charges = {
        Charges.charge("uncounted-down:{client}", 5, 60_000, 1, Algorithm.SLIDING_WINDOW, false),
        Charges.charge("uncounted-down-seen:{client}", 5, 60_000, 1, Algorithm.FIXED_WINDOW, true)
      };
      Outcome[] outcomes = backend.acquire(charges);
      assertThat(outcomes)
          .extracting(Outcome::allowed)
          .containsOnly(onError != RedisConfig.OnError.DENY);
      assertThat(outcomes).extracting(Outcome::counted).containsOnly(false);
      assertThat(outcomes)
          .as("counted in this instance's memory")
          .extracting(Outcome::countedInFallback)
          .containsOnly(onError == RedisConfig.OnError.LOCAL);
    } finally {
      down.close();
    }
  }

  /**
   * on-error local, Redis down throughout: A succeeds, and its charge, counted in this instance's
   * memory, is given back there; so the limit of 2 failures is B and C, and D is refused. (Before,
   * A stayed counted in memory, and C, the second failure, was refused.)
   */
  @Test
  void aSuccessCountedInMemoryWhileRedisIsDownIsGivenBackThere() throws Exception {
    RedisServer down = RedisServer.notStarted();
    try (RedisBackend backend = connect(down, Counter.SCRIPT, RedisConfig.OnError.LOCAL, 1_000)) {
      LimiterBridge bridge = bridge(down, backend, Counter.SCRIPT);
      Verdict a = decide(bridge);
      assertThat(a.isBlocked()).as("A").isFalse();
      assertThat(remaining(a)).as("A, counted in memory").isEqualTo("1");
      bridge.completed(a, 200, null, null);
      Verdict b = decide(bridge);
      assertThat(b.isBlocked()).as("B").isFalse();
      assertThat(remaining(b)).as("B, A given back").isEqualTo("1");
      bridge.completed(b, 401, null, null);
      Verdict c = decide(bridge);
      assertThat(c.isBlocked()).as("C, the second failure").isFalse();
      bridge.completed(c, 401, null, null);
      assertThat(decide(bridge).isBlocked()).as("D, a third failure").isTrue();
    } finally {
      down.close();
    }
  }

  /**
   * B and C, failures, are counted in Redis (C's remaining 0 says Redis answered it: on-error allow
   * would say 1); then {@code a} ends in success; then the third failure, D, is refused.
   */
  private static void usesTheLimitInRedisAndRefusesAThirdFailureAfter(
      LimiterBridge bridge, Verdict a) {
    Verdict b = decide(bridge);
    assertThat(b.isBlocked()).as("B").isFalse();
    bridge.completed(b, 401, null, null);
    Verdict c = decide(bridge);
    assertThat(c.isBlocked()).as("C").isFalse();
    assertThat(remaining(c)).as("C's remaining, as Redis counted it").isEqualTo("0");
    bridge.completed(c, 401, null, null);

    bridge.completed(a, 200, null, null); // A succeeds: nothing of it is in Redis to give back

    // on the backend's one connection, D is decided after any give-back that A sent
    Verdict d = decide(bridge);
    assertThat(d.isBlocked())
        .as("D, a third failure of a client whose limit is 2: B and C are counted in Redis")
        .isTrue();
  }

  private static RedisBackend connect(
      RedisServer server, Counter counter, RedisConfig.OnError onError, long timeout) {
    RedisConfig settings = new RedisConfig(List.of(server.uri()), false, timeout, onError);
    return RedisBackend.connect(
        counter.byCommands == null
            ? settings
            : settings.withCounting(counter.byCommands, RedisConfig.Counting.COMMANDS));
  }

  /** The limiter on this backend; the rules name Redis, so their decisions may wait. */
  private static LimiterBridge bridge(RedisServer server, RedisBackend backend, Counter counter) {
    try {
      return new LimiterBridge(
          new RateLimiter(
              ConfigLoader.parse(
                  "redis-url: "
                      + server.uri()
                      + "\nkey-prefix: uncounted-"
                      + unique.incrementAndGet()
                      + "\nalgorithm: "
                      + counter.algorithm
                      + "\n"
                      + RULES,
                  "rules.yaml",
                  name -> null),
              backend,
              new Stats()));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Verdict decide(LimiterBridge bridge) {
    return bridge
        .rules()
        .decide(Stage.SERVLET_ALONE, "POST", "", "/login", null, CLIENT, null, null, REQUEST);
  }

  private static String remaining(Verdict verdict) {
    for (int i = 0; i < verdict.headerCount(); i++) {
      if (verdict.headerName(i).equals("X-RateLimit-Remaining")) {
        return verdict.headerValue(i);
      }
    }
    throw new AssertionError("no X-RateLimit-Remaining");
  }

  /**
   * Waits until Redis counts what the backend charges (a probe's key appears in Redis): the
   * backend's outage, if any, has ended. A sliding log, which the script decides in every mode.
   */
  private static void awaitRedisAnswers(RedisBackend backend, RedisServer server) {
    io.lettuce.core.RedisClient client = RedisServer.client(server.uri());
    try (var connection = client.connect()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (true) {
        Charge probe =
            Charges.charge(
                "uncounted-probe:" + unique.incrementAndGet() + ":{probe}",
                1_000,
                3_600_000,
                1,
                Algorithm.SLIDING_LOG,
                false);
        backend.acquire(new Charge[] {probe});
        if (connection.sync().exists(probe.key()) == 1) {
          return;
        }
        assertThat(System.nanoTime()).as("Redis answers within 15 s").isLessThan(deadline);
        RedisServer.sleep(20);
      }
    } finally {
      client.shutdown();
    }
  }

  /**
   * Decides a request as an event loop whose decision workers are all busy and whose queue is full:
   * in place, where the backend must not wait for Redis ({@link OffLoopDecision#mustNotWait}). The
   * workers start idle (no earlier task can free a place in the queue meanwhile, which would send
   * the decision to a worker instead) and are let go and left idle again afterwards.
   */
  private static Verdict decidedOnASaturatedEventLoop(ActiveRules rules) {
    awaitIdleWorkers();
    CountDownLatch release = new CountDownLatch(1);
    // every worker held by a task (as many as OffLoopDecision starts), so that none takes another
    // from the queue once it is full: a place freed there would send the decision to a worker
    int workers = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    CountDownLatch allHeld = new CountDownLatch(workers);
    HeldRules held = new HeldRules(release, allHeld);
    Object decided;
    try {
      fillTheQueue(held);
      try {
        assertThat(allHeld.await(60, TimeUnit.SECONDS)).as("every worker held").isTrue();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      fillTheQueue(held); // again: the workers took their tasks from it meanwhile
      decided = decideOrSubmit(rules);
    } finally {
      release.countDown();
    }
    awaitIdleWorkers();
    assertThat(decided).as("decided in place").isInstanceOf(Verdict.class);
    return (Verdict) decided;
  }

  /** Submits {@code held} until the workers' queue turns one down. */
  private static void fillTheQueue(HeldRules held) {
    boolean taken = true;
    for (int i = 0; taken && i < 20_000; i++) {
      taken = decideOrSubmit(held) == OffLoopDecision.SUBMITTED;
    }
    assertThat(taken).as("the workers' queue fills up").isFalse();
  }

  /** Waits until the workers have run every task queued before now. */
  private static void awaitIdleWorkers() {
    CountDownLatch ran = new CountDownLatch(1);
    HeldRules marker = new HeldRules(new CountDownLatch(0), ran);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (decideOrSubmit(marker) != OffLoopDecision.SUBMITTED) {
      assertThat(System.nanoTime()).as("the workers take a task").isLessThan(deadline);
      RedisServer.sleep(10);
    }
    try {
      assertThat(ran.await(60, TimeUnit.SECONDS)).as("the workers drain their queue").isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static Object decideOrSubmit(ActiveRules rules) {
    return OffLoopDecision.decideOrSubmit(
        rules,
        "POST",
        "/login",
        CLIENT,
        null,
        REQUEST,
        DROPPED,
        new Object(),
        "toString",
        null,
        null);
  }
}
