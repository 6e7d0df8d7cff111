package io.fastlimit.bench;

import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The reference the project measures itself against: Bucket4j's bare local {@code tryConsume(1)} on
 * one hot bucket (default lock-free synchronization) with a capacity that never runs out. No rule
 * match, no key, no headers: only the bucket arithmetic and its atomic update.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class Bucket4jTryConsumeBenchmark {

  private Bucket bucket;

  @Setup(Level.Trial)
  public void setUp() {
    bucket =
        Bucket.builder()
            .addLimit(
                limit ->
                    limit
                        .capacity(BenchRules.HUGE_CAPACITY)
                        .refillGreedy(BenchRules.HUGE_CAPACITY, Duration.ofMinutes(1)))
            .build();
  }

  @TearDown(Level.Trial)
  public void checkStillAdmitted() {
    if (!bucket.tryConsume(1)) {
      throw new IllegalStateException("the hot bucket ran out during the run; raise the capacity");
    }
  }

  @Benchmark
  @Threads(1)
  public boolean hotBucketOneThread() {
    return bucket.tryConsume(1);
  }

  @Benchmark
  @Threads(2)
  public boolean hotBucketTwoThreads() {
    return bucket.tryConsume(1);
  }

  /** More threads than cores, as in a servlet container's pool: preemption mid-update. */
  @Benchmark
  @Threads(8)
  public boolean hotBucketEightThreads() {
    return bucket.tryConsume(1);
  }
}
