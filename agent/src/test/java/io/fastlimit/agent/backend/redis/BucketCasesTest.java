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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One table of cases, run against the memory backend with a fake clock and against Redis with the
 * same times passed to the script: both must give exactly the outcomes written here. Times and
 * reset-at values are relative to a base that is a multiple of every window.
 */
class BucketCasesTest {

  /**
   * 2100-01-01, a multiple of every window; ahead of the real time, as the keys' expiry is absolute
   * (PEXPIREAT), so that no key expires in real time while the test runs.
   */
  private static final long BASE = 4_102_444_800_000L;

  private static final FakeClock clock = new FakeClock(BASE);
  private static TestRedis server;
  private static RedisBackend redis;

  /** Fixed windows by plain commands (redis.fixed-window: commands), the rest by the scripts. */
  private static RedisBackend redisCommands;

  private static int runs;

  @BeforeAll
  static void startRedis() throws Exception {
    server = TestRedis.start();
    redis =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY),
            clock,
            new BlockedCache(RedisBackend.MAX_BLOCKED_KEYS));
    RedisBackendTest.awaitConnected(redis);
    redisCommands = commandsBackend(new BlockedCache(RedisBackend.MAX_BLOCKED_KEYS));
    RedisBackendTest.awaitConnected(redisCommands);
    // a request that the counters blocked gives back what the script counted of it
    RedisServer.loadGiveBack(server.uri());
  }

  private static RedisBackend commandsBackend(BlockedCache blocked) {
    return RedisBackend.connect(
        new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY)
            .withCounting(Algorithm.FIXED_WINDOW, RedisConfig.Counting.COMMANDS)
            .withCounting(Algorithm.SLIDING_WINDOW, RedisConfig.Counting.COMMANDS)
            .withCounting(Algorithm.TOKEN_BUCKET, RedisConfig.Counting.COMMANDS),
        clock,
        blocked);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
    redisCommands.close();
    server.close();
  }

  /** A bucket of a case: its key suffix and rate. */
  private record Bucket(
      String key, Algorithm algorithm, long limit, long window, long cost, boolean observeOnly) {}

  /**
   * At {@code time}, charge these buckets (by index); expect one "A|B remaining reset retry" each.
   */
  private record Step(long time, int[] buckets, String[] expected) {}

  /**
   * Which backends a case holds for: all of them, the scripts' state (memory and Redis by scripts),
   * or only fixed windows counted by commands, whose keys name their windows.
   */
  private enum On {
    ALL,
    SCRIPTS,
    COMMANDS
  }

  private record Case(String name, List<Bucket> buckets, List<Step> steps, On on) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final class CaseBuilder {
    final String name;
    final List<Bucket> buckets = new ArrayList<>();
    final List<Step> steps = new ArrayList<>();
    On on = On.ALL;

    CaseBuilder(String name) {
      this.name = name;
    }

    CaseBuilder bucket(String key, Algorithm algorithm, long limit, long window, long cost) {
      buckets.add(new Bucket(key, algorithm, limit, window, cost, false));
      return this;
    }

    CaseBuilder observed(String key, Algorithm algorithm, long limit, long window, long cost) {
      buckets.add(new Bucket(key, algorithm, limit, window, cost, true));
      return this;
    }

    /** A step charging every bucket of the case. */
    CaseBuilder at(long time, String... expected) {
      int[] all = new int[buckets.size()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      return at(time, all, expected);
    }

    CaseBuilder at(long time, int[] which, String... expected) {
      steps.add(new Step(time, which, expected));
      return this;
    }

    /** A case of the scripts' one key per bucket, where a late or stepped-back time matters. */
    CaseBuilder scriptsOnly() {
      on = On.SCRIPTS;
      return this;
    }

    /** A case of redis.fixed-window: commands, whose keys are one per bucket and window. */
    CaseBuilder commandsOnly() {
      on = On.COMMANDS;
      return this;
    }

    Case build() {
      return new Case(name, buckets, steps, on);
    }
  }

  private static CaseBuilder named(String name) {
    return new CaseBuilder(name);
  }

  private static int[] only(int... buckets) {
    return buckets;
  }

  static List<Case> cases() {
    Algorithm fixed = Algorithm.FIXED_WINDOW;
    Algorithm sliding = Algorithm.SLIDING_WINDOW;
    Algorithm token = Algorithm.TOKEN_BUCKET;
    Algorithm log = Algorithm.SLIDING_LOG;
    return List.of(
        named("fixed window: the limit, then blocked until the window ends")
            .bucket("f", fixed, 3, 60_000, 1)
            .at(0, "A 2 60000 0")
            .at(1_000, "A 1 60000 0")
            .at(2_000, "A 0 60000 0")
            .at(3_000, "B 0 60000 57000")
            .at(60_000, "A 2 120000 0")
            .build(),
        named("fixed window: a cost that no longer fits leaves what remains")
            .bucket("f", fixed, 5, 10_000, 2)
            .at(0, "A 3 10000 0")
            .at(1, "A 1 10000 0")
            .at(2, "B 1 10000 9998")
            .at(10_001, "A 3 20000 0")
            .build(),
        named("sliding window: the previous window weighs by its overlap")
            .bucket("s", sliding, 4, 10_000, 1)
            .at(0, "A 3 20000 0")
            .at(1_000, "A 2 20000 0")
            .at(2_000, "A 1 20000 0")
            .at(3_000, "A 0 20000 0")
            .at(4_000, "B 0 20000 8500")
            .at(12_500, "A 0 30000 0")
            .at(12_500, "B 0 30000 2500")
            .at(15_000, "A 0 30000 0")
            .at(31_000, "A 3 50000 0")
            .build(),
        named("sliding window: a window that is not adjacent counts nothing")
            .bucket("s", sliding, 2, 1_000, 1)
            .at(0, "A 1 2000 0")
            .at(1, "A 0 2000 0")
            .at(2, "B 0 2000 1498")
            .at(2_500, "A 1 4000 0")
            .build(),
        named("token bucket: refills continuously at limit per window")
            .bucket("t", token, 2, 1_000, 1)
            .at(0, "A 1 500 0")
            .at(0, "A 0 1000 0")
            .at(100, "B 0 1000 400")
            .at(500, "A 0 1500 0")
            .at(5_000, "A 1 5500 0")
            .build(),
        named("token bucket: a cost above one token")
            .bucket("t", token, 3, 3_000, 2)
            .at(0, "A 1 2000 0")
            .at(1_000, "A 0 4000 0")
            .at(1_500, "B 0 4000 1500")
            .at(3_000, "A 0 6000 0")
            .build(),
        named("sliding log: the limit in the last window length, retry when the oldest leaves")
            .bucket("l", log, 3, 10_000, 1)
            .at(0, "A 2 10000 0")
            .at(4_000, "A 1 14000 0")
            .at(9_000, "A 0 19000 0")
            .at(9_999, "B 0 19000 1")
            .at(10_000, "A 0 20000 0")
            .at(13_000, "B 0 20000 1000")
            .at(40_000, "A 2 50000 0")
            .build(),
        named("sliding log: a cost takes that many and waits for that many to leave")
            .bucket("l", log, 5, 1_000, 2)
            .at(0, "A 3 1000 0")
            .at(100, "A 1 1100 0")
            .at(200, "B 1 1100 800")
            .at(1_000, "A 1 2000 0")
            .build(),
        named("a blocked request consumes from no sliding log either")
            .bucket("wide", log, 5, 60_000, 1)
            .bucket("narrow", fixed, 1, 60_000, 1)
            .at(0, "A 4 60000 0", "A 0 60000 0")
            .at(1_000, "A 3 61000 0", "B 0 60000 59000")
            .at(2_000, only(0), "A 3 62000 0")
            .build(),
        named("a sliding log whose rule changed algorithm starts afresh, and back")
            .bucket("same", log, 2, 1_000, 1)
            .bucket("same", fixed, 2, 1_000, 1)
            .at(0, only(0), "A 1 1000 0")
            .at(0, only(0), "A 0 1000 0")
            .at(0, only(1), "A 1 1000 0")
            .at(0, only(0), "A 1 1000 0")
            .scriptsOnly()
            .build(),
        named("a blocked request consumes from none of its buckets")
            .bucket("wide", fixed, 5, 60_000, 1)
            .bucket("narrow", fixed, 1, 60_000, 1)
            .at(0, "A 4 60000 0", "A 0 60000 0")
            .at(1_000, "A 3 60000 0", "B 0 60000 59000")
            .at(2_000, only(0), "A 3 60000 0")
            .build(),
        named("an observe-only bucket never blocks and counts only what it admits")
            .bucket("enforced", fixed, 2, 60_000, 1)
            .observed("observed", fixed, 1, 60_000, 1)
            .at(0, "A 1 60000 0", "A 0 60000 0")
            .at(1, "A 0 60000 0", "B 0 60000 59999")
            .at(2, "B 0 60000 59998", "B 0 60000 59998")
            .at(3, only(1), "B 0 60000 59997")
            .build(),
        named("a blocked request does not count its observe-only bucket either")
            .bucket("enforced", token, 1, 1_000, 1)
            .observed("observed", sliding, 5, 1_000, 1)
            .at(0, "A 0 1000 0", "A 4 2000 0")
            .at(10, "B 0 1000 990", "A 3 2000 0")
            .at(20, only(1), "A 3 2000 0")
            .build(),
        // A request whose time is before the window its bucket last counted in: it read the
        // clock just before the window ended and reached the bucket after another request had
        // opened the next one (request threads in one JVM, or instances whose times reach Redis
        // out of order). It counts in the newer window. Rolled back to its own window, it wiped
        // both windows' counts, and a client could have its limit again at every window's end.
        named("fixed window: a request timed before the bucket's window counts in that window")
            .bucket("f", fixed, 3, 60_000, 1)
            .at(59_000, "A 2 60000 0")
            .at(60_000, "A 2 120000 0")
            .at(60_001, "A 1 120000 0")
            .at(59_999, "A 0 120000 0")
            .at(59_998, "B 0 120000 60002")
            .at(60_002, "B 0 120000 59998")
            .scriptsOnly()
            .build(),
        named("sliding window: a request timed before the bucket's window counts in that window")
            .bucket("s", sliding, 4, 60_000, 1)
            .at(30_000, "A 3 120000 0")
            .at(30_000, "A 2 120000 0")
            .at(30_000, "A 1 120000 0")
            .at(60_000, "A 0 180000 0")
            .at(59_999, "B 0 180000 20001")
            .at(60_001, "B 0 180000 19999")
            .scriptsOnly()
            .build(),
        // The window counters count a late request in its own window's key, but the request at
        // 60000 has read that key as its previous window: the late one must fit at 60000 too.
        named("sliding window: a late request fits where the bucket has moved to")
            .bucket("s", sliding, 4, 60_000, 1)
            .at(30_000, "A 3 120000 0")
            .at(30_000, "A 2 120000 0")
            .at(30_000, "A 1 120000 0")
            .at(60_000, "A 0 180000 0")
            // its own window held 3 of 4, but at 60000 3 x 60000 + 1 x 60000 are used
            .at(59_999, "B 0 180000 20001")
            // 3 x 59999 + 1 x 60000 used; fits once 2 of the previous 3 slid out
            .at(60_001, "B 0 180000 19999")
            // and what the blocked ones counted was taken back: 3 x 15000 + 1 x 60000 used
            .at(105_000, "A 1 180000 0")
            .build(),
        named("window counters: a sliding window's late request that fits counts in its window")
            .bucket("s", sliding, 4, 60_000, 1)
            .at(30_000, "A 3 120000 0")
            .at(60_000, "A 2 180000 0")
            // fits in its own window and at 60000: counted in its own window's key
            .at(59_999, "A 1 120000 0")
            // 2 x 59999 + 1 x 60000 used
            .at(60_001, "A 0 180000 0")
            .commandsOnly()
            .build(),
        named("two buckets: a request timed before their windows counts in them")
            .bucket("f", fixed, 2, 60_000, 1)
            .bucket("s", sliding, 2, 60_000, 1)
            .at(59_000, "A 1 60000 0", "A 1 120000 0")
            .at(60_000, "A 1 120000 0", "A 0 180000 0")
            .at(59_999, "A 0 120000 0", "B 0 180000 60001")
            .at(60_001, "A 0 120000 0", "B 0 180000 59999")
            .scriptsOnly()
            .build(),
        named("token bucket: a request timed before the last refill dates the full time from it")
            .bucket("t", token, 10, 1_000, 5)
            .at(1_000, "A 5 1500 0")
            .at(900, "A 0 2000 0")
            .scriptsOnly()
            .build(),
        // A token counter never learns when the bucket was last refilled: a request timed 100 ms
        // before the last one that reached Redis is charged those 100 ms of refill (the safe
        // side), and blocked here; its give-back refunds its charge less the time from its floor
        // to the latest (what a later refill could have absorbed), so the bucket keeps the 100.
        named("token counter: a request timed before the last refill is charged the refill since")
            .bucket("t", token, 10, 1_000, 5)
            .at(1_000, "A 5 1500 0")
            .at(900, "B 4 1500 100")
            .at(1_000, "B 4 1600 100")
            .at(1_100, "A 0 2100 0")
            .commandsOnly()
            .build(),
        // A time more than 2 s before the bucket's latest: not a late clock read but the clock
        // stepping back (Redis failing over to a server whose clock is behind). The bucket starts
        // afresh, rather than block its client until the clock caught up; then, with the clock
        // back, it counts from there.
        named("fixed window: a clock stepped back more than 2 s starts the bucket afresh")
            .bucket("f", fixed, 3, 60_000, 1)
            .at(61_000, "A 2 120000 0")
            .at(62_000, "A 1 120000 0")
            .at(57_000, "A 2 60000 0")
            .at(62_500, "A 2 120000 0")
            .scriptsOnly()
            .build(),
        named("sliding window: a clock stepped back more than 2 s starts the bucket afresh")
            .bucket("s", sliding, 3, 60_000, 1)
            .at(61_000, "A 2 180000 0")
            .at(62_000, "A 1 180000 0")
            .at(57_000, "A 2 120000 0")
            .scriptsOnly()
            .build(),
        // The window counters count on in that window's key, and what they count there must fit
        // in the window the bucket had moved to, whose requests read it as their previous one.
        named("window counters: a sliding window's clock stepped back counts in that window")
            .bucket("s", sliding, 3, 60_000, 1)
            .at(61_000, "A 2 180000 0")
            .at(62_000, "A 1 180000 0")
            .at(57_000, "A 0 120000 0")
            // 1 x 60000 + 2 x 60000 used at 60000: fits once the previous window ends, at 120000
            .at(57_001, "B 0 180000 62999")
            .commandsOnly()
            .build(),
        named("token bucket: a clock stepped back more than 2 s starts the bucket afresh")
            .bucket("t", token, 3, 60_000, 1)
            .at(61_000, "A 2 81000 0")
            .at(62_000, "A 1 101000 0")
            .at(57_000, "A 2 77000 0")
            .scriptsOnly()
            .build(),
        // The token counters' time is Redis's as sampled, carried forward by a monotonic clock:
        // it does not step back once sampled. Before a sample, an instance whose clock stepped
        // back is charged the refill it missed: blocked until its clock catches up, the safe side.
        named("token counter: a clock stepped back is charged the refill it has not reached")
            .bucket("t", token, 3, 60_000, 1)
            .at(61_000, "A 2 81000 0")
            .at(62_000, "A 1 101000 0")
            .at(57_000, "B 0 101000 4000")
            // its give-back keeps the 5 s it was behind the latest refill, and the next's the 1 s
            .at(61_000, "B 0 106000 5000")
            .at(66_000, "B 0 107000 1000")
            .at(67_000, "A 0 127000 0")
            .commandsOnly()
            .build(),
        named("sliding log: a clock stepped back more than 2 s starts the log afresh")
            .bucket("l", log, 3, 60_000, 1)
            .at(61_000, "A 2 121000 0")
            .at(62_000, "A 1 122000 0")
            .at(57_000, "A 2 117000 0")
            .build(),
        named("two buckets: a clock stepped back more than 2 s starts both afresh")
            .bucket("f", fixed, 3, 60_000, 1)
            .bucket("l", log, 3, 60_000, 1)
            .at(61_000, "A 2 120000 0", "A 2 121000 0")
            .at(62_000, "A 1 120000 0", "A 1 122000 0")
            .at(57_000, "A 2 60000 0", "A 2 117000 0")
            .build(),
        named("a bucket whose rule changed algorithm starts afresh")
            .bucket("same", fixed, 2, 1_000, 1)
            .bucket("same", token, 2, 1_000, 1)
            .at(0, only(0), "A 1 1000 0")
            .at(0, only(0), "A 0 1000 0")
            .at(0, only(1), "A 1 500 0")
            .at(0, only(0), "A 1 1000 0")
            .scriptsOnly()
            .build(),
        // Fixed windows counted by commands keep a key per bucket and window: a late time counts
        // in its own window's key, which nothing else rolls back or forward.
        named("window counters: a request timed before the window counts in its own window")
            .bucket("f", fixed, 3, 60_000, 1)
            .at(59_000, "A 2 60000 0")
            .at(60_000, "A 2 120000 0")
            .at(60_001, "A 1 120000 0")
            .at(59_999, "A 1 60000 0")
            .at(59_998, "A 0 60000 0")
            .at(59_997, "B 0 60000 3")
            .at(60_002, "A 0 120000 0")
            .at(60_003, "B 0 120000 59997")
            .commandsOnly()
            .build(),
        named("window counters: two buckets, a late request blocked by one takes nothing")
            .bucket("f", fixed, 2, 60_000, 1)
            .bucket("t", token, 2, 60_000, 1)
            .at(59_000, "A 1 60000 0", "A 1 89000 0")
            .at(60_000, "A 1 120000 0", "A 0 119000 0")
            // the token counter charges the late request the 1 ms of refill it is behind, and its
            // give-back keeps that 1 ms (it refunds the charge less the time from its floor to
            // the latest: the safe side)
            .at(59_999, "A 0 60000 0", "B 0 119000 29001")
            .at(60_001, "A 0 120000 0", "B 0 119001 29000")
            .at(60_002, only(0), "A 0 120000 0")
            .at(59_998, only(0), "A 0 60000 0")
            .commandsOnly()
            .build(),
        named("window counters: a clock stepped back counts on in that window's key")
            .bucket("f", fixed, 3, 60_000, 1)
            .at(61_000, "A 2 120000 0")
            .at(62_000, "A 1 120000 0")
            .at(57_000, "A 2 60000 0")
            .at(62_500, "A 0 120000 0")
            .at(62_600, "B 0 120000 57400")
            .commandsOnly()
            .build(),
        named("window counters: apart from the scripts' key of the same bucket")
            .bucket("same", fixed, 2, 1_000, 1)
            .bucket("same", token, 2, 1_000, 1)
            .at(0, only(0), "A 1 1000 0")
            .at(0, only(0), "A 0 1000 0")
            .at(0, only(1), "A 1 500 0")
            .at(0, only(0), "B 0 1000 1000")
            .commandsOnly()
            .build());
  }

  static Stream<Arguments> casesOnEachBackend() {
    List<Arguments> arguments = new ArrayList<>();
    for (Case c : cases()) {
      if (c.on() != On.COMMANDS) {
        arguments.add(Arguments.of("memory", c));
        arguments.add(Arguments.of("redis", c));
      }
      if (c.on() != On.SCRIPTS) {
        arguments.add(Arguments.of("redis-commands", c));
      }
    }
    return arguments.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("casesOnEachBackend")
  void backendGivesTheTablesOutcomes(String backendName, Case c) {
    String prefix = "cases:" + (++runs) + ":";
    Backend backend =
        backendName.equals("memory")
            ? new MemoryBackend(clock::get, 1_000)
            : backendName.equals("redis") ? redis : redisCommands;
    for (Step step : c.steps()) {
      clock.set(BASE + step.time());
      Charge[] charges = new Charge[step.buckets().length];
      for (int i = 0; i < charges.length; i++) {
        Bucket bucket = c.buckets().get(step.buckets()[i]);
        charges[i] =
            Charges.charge(
                prefix + "{" + bucket.key() + "}",
                bucket.limit(),
                bucket.window(),
                bucket.cost(),
                bucket.algorithm(),
                bucket.observeOnly());
      }
      Outcome[] outcomes = backend.acquire(charges);
      String[] actual = new String[outcomes.length];
      for (int i = 0; i < outcomes.length; i++) {
        actual[i] = describe(outcomes[i]);
        // the backend's time of the decision, which its reset time is relative to
        assertThat(outcomes[i].decidedAtMillis()).as("decided at").isEqualTo(clock.get());
      }
      assertThat(actual).as("at %d", step.time()).containsExactly(step.expected());
    }
  }

  /**
   * Random sequences beyond the table: whatever the memory backend answers, Redis answers too,
   * bucket by bucket.
   */
  @Test
  void redisAnswersWhatMemoryAnswersOnRandomSequences() throws Exception {
    // without the blocked cache: it answers remaining as last seen, not as refilled since
    try (RedisBackend redis =
        RedisBackend.connect(
            new RedisConfig(List.of(server.uri()), false, 5_000, RedisConfig.OnError.DENY),
            clock,
            new BlockedCache(0))) {
      RedisBackendTest.awaitConnected(redis);
      compareOnRandomSequences(redis, "random:");
    }
  }

  /**
   * The same with fixed windows counted by commands: a request that mixes them with the scripts'
   * algorithms is still all or nothing, each part taking or giving back what the other blocked.
   */
  @Test
  void windowCountersAnswerWhatMemoryAnswersOnRandomSequences() throws Exception {
    try (RedisBackend redis = commandsBackend(new BlockedCache(0))) {
      RedisBackendTest.awaitConnected(redis);
      compareOnRandomSequences(redis, "counters:random:");
    }
  }

  /** Keys start with {@code keys}: each test its own, as the sequences repeat. */
  private static void compareOnRandomSequences(RedisBackend redis, String keys) {
    Random random = new Random(20240611);
    Algorithm[] algorithms = Algorithm.values();
    long[] windows = {1_000, 7_000, 60_000};
    for (int round = 0; round < 30; round++) {
      String prefix = keys + round + ":";
      MemoryBackend memory = new MemoryBackend(clock::get, 1_000);
      int bucketCount = 1 + random.nextInt(3);
      Charge[] all = new Charge[bucketCount];
      for (int i = 0; i < bucketCount; i++) {
        long limit = 1 + random.nextInt(10);
        all[i] =
            Charges.charge(
                prefix + "{b" + i + "}",
                limit,
                windows[random.nextInt(windows.length)],
                1 + random.nextInt((int) limit),
                algorithms[random.nextInt(algorithms.length)],
                random.nextInt(4) == 0);
      }
      long time = BASE + random.nextInt(60_000);
      for (int step = 0; step < 40; step++) {
        time += random.nextInt(4) == 0 ? random.nextInt(5_000) : random.nextInt(300);
        clock.set(time);
        List<Charge> picked = new ArrayList<>();
        for (Charge charge : all) {
          if (random.nextInt(3) > 0) {
            picked.add(charge);
          }
        }
        if (picked.isEmpty()) {
          picked.add(all[0]);
        }
        Charge[] charges = picked.toArray(new Charge[0]);
        Outcome[] expected = memory.acquire(charges);
        Outcome[] actual = redis.acquire(charges);
        for (int i = 0; i < charges.length; i++) {
          assertThat(describe(actual[i]))
              .as("round %d step %d bucket %s", round, step, charges[i].key())
              .isEqualTo(describe(expected[i]));
        }
      }
    }
  }

  private static String describe(Outcome outcome) {
    return (outcome.allowed() ? "A " : "B ")
        + outcome.remaining()
        + ' '
        + (outcome.resetAtMillis() - BASE)
        + ' '
        + outcome.retryAfterMillis();
  }
}
