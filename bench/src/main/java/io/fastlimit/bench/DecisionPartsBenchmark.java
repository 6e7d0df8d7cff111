package io.fastlimit.bench;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.client.IpAddress;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.limit.RulesSnapshot;
import io.fastlimit.agent.observe.RuleStats;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.agent.rules.PathPattern;
import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.agent.rules.RequestPath;
import io.fastlimit.bootstrap.Stage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pieces of {@code WholeDecisionBenchmark.hotKeyOneThread} alone (1 rule), to see where it
 * goes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Threads(1)
public class DecisionPartsBenchmark {

  /** The key start of the one rule's IP buckets, as the memory backend groups them. */
  private static final String KEY_START = "fl:r0:ip:";

  private RulesSnapshot snapshot;
  private String path;
  private String peer;
  private MemoryBackend backend;
  private Charge charge;
  private final LongAdder adder = new LongAdder();
  private final RuleStats ruleStats = new Stats().forRule("bench");
  private final ConcurrentHashMap<String, Object> groups = new ConcurrentHashMap<>();

  /** An equal key, not the same instance: a lookup compares it as a request's would be. */
  private final String keyStart = new String(KEY_START);

  private final LongSupplier monotonic = MemoryBackend.monotonicClock();

  @Setup
  public void setUp() {
    AgentConfig config =
        BenchRules.parse(
            "algorithm: sliding-window\nrules:\n  - {path: /api/v0/**, limit: "
                + BenchRules.HUGE_LIMIT
                + "}\n");
    snapshot = new RateLimiter(config, new MemoryBackend(), new Stats()).snapshot();
    path = BenchRules.pathOfLastRule(1);
    peer = BenchRules.CLIENT_IP;
    backend = new MemoryBackend(System::currentTimeMillis, 1 << 20);
    charge = BenchRules.charge(KEY_START, peer, BenchRules.HUGE_LIMIT, "sliding-window");
    groups.put(KEY_START, new Object());
  }

  @Benchmark
  public void longAdder() {
    adder.increment();
  }

  /** What a decision bumps now: the rule's allowed count, striped by thread. */
  @Benchmark
  public void ruleStatistics() {
    ruleStats.allowed();
  }

  @Benchmark
  public Object groupLookup() {
    return groups.get(keyStart);
  }

  @Benchmark
  public String normalize() {
    return PathPattern.normalize(path);
  }

  @Benchmark
  public String dotSegments() {
    return RequestPath.withoutDotSegments(path);
  }

  @Benchmark
  public long monotonicClock() {
    return monotonic.getAsLong();
  }

  @Benchmark
  public long nanoTime() {
    return System.nanoTime();
  }

  @Benchmark
  public long clock() {
    return System.currentTimeMillis();
  }

  @Benchmark
  public RateLimitRule[] ruleMatch() {
    return RateLimiter.rulesAt(snapshot, Stage.SERVLET_ALONE, "GET", path);
  }

  @Benchmark
  public long parse() {
    return IpAddress.parseCanonicalV4(peer);
  }

  @Benchmark
  public Outcome backendAcquire() {
    return backend.acquire(charge);
  }
}
