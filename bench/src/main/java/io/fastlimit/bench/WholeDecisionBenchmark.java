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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole decision the inlined servlet advice asks for per request, {@link ActiveRules#decide}:
 * rule match among 1, 100 or 1000 rules (the request matches only the last), client IP and key
 * building, the in-memory backend's atomic charge and the admitted verdict with its headers. One
 * client on one path, so every call hits the same bucket; it never runs out.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class WholeDecisionBenchmark {

  @Param({"1", "100", "1000"})
  int ruleCount;

  @Param({"sliding-window", "fixed-window", "token-bucket"})
  String algorithm;

  private RateLimitBridge limiter;
  private String method;
  private String path;
  private String peer;

  @Setup(Level.Trial)
  public void setUp() {
    limiter = BenchRules.limiter(ruleCount, algorithm);
    method = "GET";
    path = BenchRules.pathOfLastRule(ruleCount);
    peer = BenchRules.CLIENT_IP;
    Verdict first = decide();
    if (first == null || first.isBlocked() || first.headerCount() == 0) {
      throw new IllegalStateException("the benchmark request is not an admitted, limited one");
    }
  }

  @TearDown(Level.Trial)
  public void checkStillAdmitted() {
    Verdict last = decide();
    if (last == null || last.isBlocked()) {
      throw new IllegalStateException("the hot key ran out during the run; raise the limit");
    }
  }

  private Verdict decide() {
    return limiter.rules().decide(Stage.SERVLET_ALONE, method, "", path, null, peer, null, null);
  }

  @Benchmark
  @Threads(1)
  public Verdict hotKeyOneThread() {
    return decide();
  }

  @Benchmark
  @Threads(2)
  public Verdict hotKeyTwoThreads() {
    return decide();
  }

  /** More threads than cores, as in a servlet container's pool: preemption mid-update. */
  @Benchmark
  @Threads(8)
  public Verdict hotKeyEightThreads() {
    return decide();
  }
}
