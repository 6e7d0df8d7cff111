package io.fastlimit.bench;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the agent adds to a request that no rule limits: {@link ActiveRules#decide} on a path under
 * the same /api prefix as all 1, 100 or 1000 rules, so every pattern is tried and none matches.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class UnmatchedPathBenchmark {

  @Param({"1", "100", "1000"})
  int ruleCount;

  private RateLimitBridge limiter;
  private String method;
  private String path;
  private String peer;

  @Setup(Level.Trial)
  public void setUp() {
    // the algorithm is never reached: nothing is charged
    limiter = BenchRules.limiter(ruleCount, "sliding-window");
    method = "GET";
    path = BenchRules.unmatchedPath();
    peer = BenchRules.CLIENT_IP;
    if (decide() != null) {
      throw new IllegalStateException("the benchmark path is limited by a rule; it must not be");
    }
  }

  private Verdict decide() {
    return limiter.rules().decide(Stage.SERVLET_ALONE, method, "", path, null, peer, null, null);
  }

  @Benchmark
  @Threads(1)
  public Verdict noRuleMatchesOneThread() {
    return decide();
  }

  @Benchmark
  @Threads(2)
  public Verdict noRuleMatchesTwoThreads() {
    return decide();
  }
}
