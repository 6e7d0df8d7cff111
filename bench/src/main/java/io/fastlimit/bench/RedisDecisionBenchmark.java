package io.fastlimit.bench;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.backend.redis.RedisBackend;
import io.fastlimit.agent.config.RedisConfig;
import io.fastlimit.agent.rules.Algorithm;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One rate-limit decision against a local Redis, on one hot key, with 1 and 32 concurrent callers
 * (issue #5): the agent's {@link RedisBackend#acquire} (a whole Redis round trip of a decision),
 * Bucket4j's Lettuce proxy manager {@code tryConsume(1)}, and a bare Lettuce {@code EVALSHA} of
 * {@code return 1}, the physical floor of one round trip.
 *
 * <p>All three alike: one Lettuce connection per benchmark shared by all its threads (Lettuce
 * connections are thread-safe and pipeline concurrent commands), every call waits synchronously for
 * its answer, as the agent does per request. Each trial starts its own {@code redis-server} (see
 * {@link LocalRedis}); the key never runs out, and each teardown checks that no call was denied and
 * that Redis really received the calls (so the agent's blocked-key cache can never have answered
 * one).
 *
 * <p>Both modes per method: Throughput (ops/ms: x 1000 for ops/s) and SampleTime (ms per call, with
 * percentiles). With 32 threads each sample is the latency one caller sees.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 3)
public class RedisDecisionBenchmark {

  /** Never reached: 10^10 per minute. For the agent, limit x window-ms = 6e14 < 2^51. */
  static final long HUGE_LIMIT = BenchRules.HUGE_CAPACITY;

  static final long WINDOW_MILLIS = 60_000;

  /** How long a call may wait for Redis, the agent's setting; nothing in a run comes close. */
  static final long TIMEOUT_MILLIS = 1_000;

  // ---- a. the agent's Redis backend

  /** The agent's backend, its one connection, one hot key. */
  @State(Scope.Benchmark)
  public static class Agent {

    /**
     * The rule's algorithm; {@code fixed-window-commands} is a fixed window with {@code
     * redis.fixed-window: commands} (INCRBY and PEXPIRE, no script), {@code
     * sliding-window-commands} a sliding window with {@code redis.sliding-window: commands} (and a
     * GET of the previous window's key), {@code token-bucket-commands} a token bucket with {@code
     * redis.token-bucket: commands} (ZADD GT, ZINCRBY and PEXPIRE; its rate is 2 x 10^7 a day,
     * whose units are coarse enough for the commands, where 10^10 a minute would keep the script).
     */
    @Param({
      "token-bucket",
      "sliding-window",
      "fixed-window",
      "fixed-window-commands",
      "sliding-window-commands",
      "token-bucket-commands"
    })
    String algorithm;

    LocalRedis redis;
    RedisBackend backend;
    Charge[] charges;
    final LongAdder calls = new LongAdder();
    final LongAdder denied = new LongAdder();
    Map<String, Long> statsBefore;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
      redis = LocalRedis.start();
      RedisConfig settings =
          new RedisConfig(List.of(redis.uri()), false, TIMEOUT_MILLIS, RedisConfig.OnError.DENY);
      boolean commands = algorithm.endsWith("-commands");
      backend =
          RedisBackend.connect(
              commands
                  ? settings
                      .withCounting(Algorithm.FIXED_WINDOW, RedisConfig.Counting.COMMANDS)
                      .withCounting(Algorithm.SLIDING_WINDOW, RedisConfig.Counting.COMMANDS)
                      .withCounting(Algorithm.TOKEN_BUCKET, RedisConfig.Counting.COMMANDS)
                  : settings);
      charges =
          new Charge[] {
            BenchRules.charge(
                redis.key("agent:{"),
                "hot",
                algorithm.equals("token-bucket-commands") ? "20000000/day" : HUGE_LIMIT + "/min",
                commands
                    ? algorithm.substring(0, algorithm.length() - "-commands".length())
                    : algorithm)
          };
      if (HUGE_LIMIT > RedisConfig.MAX_LIMIT_TIMES_WINDOW / WINDOW_MILLIS) {
        throw new IllegalStateException("the limit is too large for the Redis backend");
      }
      // connect() returns at once and denies (on-error deny) until the connection is open
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!backend.acquire(charges)[0].allowed()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the agent's Redis backend did not connect in 10 s");
        }
        Thread.sleep(10);
      }
      statsBefore = redis.commandCalls();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      try {
        Map<String, Long> after = redis.commandCalls();
        long n = calls.sum();
        long scripts =
            LocalRedis.delta(statsBefore, after, "evalsha")
                + LocalRedis.delta(statsBefore, after, "eval")
                // or, for the -commands ones, the INCRBY or ZINCRBY of each decision
                + LocalRedis.delta(statsBefore, after, "incrby")
                + LocalRedis.delta(statsBefore, after, "zincrby");
        System.out.println(
            "\n# agent "
                + algorithm
                + ": "
                + n
                + " calls, per call: "
                + LocalRedis.perCall(statsBefore, after, n)
                + "; server us per evalsha: "
                + LocalRedis.serverMicros(statsBefore, after, "evalsha")
                + ", per incrby: "
                + LocalRedis.serverMicros(statsBefore, after, "incrby")
                + ", per pexpire: "
                + LocalRedis.serverMicros(statsBefore, after, "pexpire")
                + ", per zadd: "
                + LocalRedis.serverMicros(statsBefore, after, "zadd")
                + ", per zincrby: "
                + LocalRedis.serverMicros(statsBefore, after, "zincrby")
                + "; Redis main-thread CPU us per call: "
                + LocalRedis.mainThreadMicros(statsBefore, after, n));
        if (denied.sum() > 0) {
          throw new IllegalStateException(
              denied.sum()
                  + " of "
                  + n
                  + " agent calls were denied: the limit ran out, Redis"
                  + " failed or timed out; the run does not measure admitted decisions");
        }
        if (scripts < n) {
          throw new IllegalStateException(
              "Redis ran "
                  + scripts
                  + " scripts for "
                  + n
                  + " agent calls: some decisions never"
                  + " reached Redis (blocked-key cache?)");
        }
        if (!backend.acquire(charges)[0].allowed()) {
          throw new IllegalStateException("the hot key is blocked at the end of the run");
        }
      } finally {
        backend.close();
        redis.close();
      }
    }

    Outcome[] decide() {
      calls.increment();
      Outcome[] outcomes = backend.acquire(charges);
      if (!outcomes[0].allowed()) {
        denied.increment();
      }
      return outcomes;
    }
  }

  // ---- b. Bucket4j's Lettuce proxy manager

  /** Bucket4j's proxy manager over one Lettuce connection, one hot bucket. */
  @State(Scope.Benchmark)
  public static class Bucket4j {

    LocalRedis redis;
    RedisClient client;
    StatefulRedisConnection<String, byte[]> connection;
    BucketProxy bucket;
    final LongAdder calls = new LongAdder();
    final LongAdder denied = new LongAdder();
    Map<String, Long> statsBefore;

    @Setup(Level.Trial)
    public void setUp() {
      redis = LocalRedis.start();
      client = RedisClient.create(redis.uri());
      connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
      LettuceBasedProxyManager<String> proxyManager =
          Bucket4jLettuce.casBasedBuilder(connection)
              // as Bucket4j's documentation recommends: keys expire once the bucket is full again
              .expirationAfterWrite(
                  ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                      Duration.ofSeconds(10)))
              .build();
      BucketConfiguration configuration =
          BucketConfiguration.builder()
              .addLimit(
                  limit ->
                      limit
                          .capacity(HUGE_LIMIT)
                          .refillGreedy(HUGE_LIMIT, Duration.ofMillis(WINDOW_MILLIS)))
              .build();
      bucket = proxyManager.builder().build(redis.key("bucket4j:{hot}"), () -> configuration);
      if (!bucket.tryConsume(1)) {
        throw new IllegalStateException("the Bucket4j bucket does not admit");
      }
      statsBefore = redis.commandCalls();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      try {
        long n = calls.sum();
        Map<String, Long> after = redis.commandCalls();
        System.out.println(
            "\n# bucket4j: "
                + n
                + " calls, per call: "
                + LocalRedis.perCall(statsBefore, after, n)
                + "; server us per get: "
                + LocalRedis.serverMicros(statsBefore, after, "get")
                + ", per eval: "
                + LocalRedis.serverMicros(statsBefore, after, "eval")
                + "; Redis main-thread CPU us per call: "
                + LocalRedis.mainThreadMicros(statsBefore, after, n));
        if (denied.sum() > 0) {
          throw new IllegalStateException(denied.sum() + " Bucket4j calls were denied");
        }
        if (!bucket.tryConsume(1)) {
          throw new IllegalStateException("the Bucket4j bucket ran out");
        }
      } finally {
        connection.close();
        client.shutdown();
        redis.close();
      }
    }

    boolean tryConsume() {
      calls.increment();
      boolean admitted = bucket.tryConsume(1);
      if (!admitted) {
        denied.increment();
      }
      return admitted;
    }
  }

  // ---- c. the floor: one bare EVALSHA round trip

  /** A bare Lettuce connection and the SHA of {@code return 1}, loaded once. */
  @State(Scope.Benchmark)
  public static class Floor {

    LocalRedis redis;
    RedisClient client;
    StatefulRedisConnection<String, String> connection;
    RedisAsyncCommands<String, String> commands;
    String sha;
    String[] keys;
    final LongAdder calls = new LongAdder();
    Map<String, Long> statsBefore;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      redis = LocalRedis.start();
      client = RedisClient.create(redis.uri());
      connection = client.connect(StringCodec.UTF8);
      commands = connection.async();
      sha = commands.scriptLoad("return 1").get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      keys = new String[] {redis.key("floor:{hot}")};
      if (evalsha() != 1L) {
        throw new IllegalStateException("EVALSHA of 'return 1' did not return 1");
      }
      statsBefore = redis.commandCalls();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      try {
        long n = calls.sum();
        Map<String, Long> after = redis.commandCalls();
        System.out.println(
            "\n# evalsha floor: "
                + n
                + " calls, per call: "
                + LocalRedis.perCall(statsBefore, after, n)
                + "; server us per evalsha: "
                + LocalRedis.serverMicros(statsBefore, after, "evalsha")
                + "; Redis main-thread CPU us per call: "
                + LocalRedis.mainThreadMicros(statsBefore, after, n));
      } finally {
        connection.close();
        client.shutdown();
        redis.close();
      }
    }

    /** As the agent waits: the async command, then a bounded get. */
    Long evalsha() throws InterruptedException, ExecutionException, TimeoutException {
      calls.increment();
      return commands
          .<Long>evalsha(sha, ScriptOutputType.INTEGER, keys)
          .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  // ---- the benchmarks

  @Benchmark
  @Threads(1)
  public Outcome[] agentOneThread(Agent agent) {
    return agent.decide();
  }

  @Benchmark
  @Threads(32)
  public Outcome[] agentThirtyTwoThreads(Agent agent) {
    return agent.decide();
  }

  @Benchmark
  @Threads(1)
  public boolean bucket4jOneThread(Bucket4j bucket4j) {
    return bucket4j.tryConsume();
  }

  @Benchmark
  @Threads(32)
  public boolean bucket4jThirtyTwoThreads(Bucket4j bucket4j) {
    return bucket4j.tryConsume();
  }

  @Benchmark
  @Threads(1)
  public Long evalshaFloorOneThread(Floor floor) throws Exception {
    return floor.evalsha();
  }

  @Benchmark
  @Threads(32)
  public Long evalshaFloorThirtyTwoThreads(Floor floor) throws Exception {
    return floor.evalsha();
  }
}
