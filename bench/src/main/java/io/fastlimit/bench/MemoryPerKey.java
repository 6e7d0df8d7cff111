package io.fastlimit.bench;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.rules.Algorithm;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Heap bytes per bucket of the memory backend, with keys as the limiter builds them
 * ({@code fastlimit:api:ip:{203.0.113.7}}). Not a JMH benchmark: it fills a backend with N live
 * buckets and compares the used heap after full GCs, before and after.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.fastlimit.bench.MemoryPerKey [buckets]</pre>
 */
public final class MemoryPerKey {

  private MemoryPerKey() {}

  public static void main(String[] args) {
    int buckets = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    for (Algorithm algorithm : Algorithm.values()) {
      System.out.printf(
          "%-15s %,d buckets: %.0f bytes per bucket%n",
          algorithm.configName(), buckets, bytesPerBucket(algorithm, buckets));
    }
  }

  static double bytesPerBucket(Algorithm algorithm, int buckets) {
    AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    MemoryBackend backend = new MemoryBackend(clock::get, buckets + 1);
    long before = usedHeap();
    for (int i = 0; i < buckets; i++) {
      String address = "10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255);
      Charge charge =
          BenchRules.charge("fastlimit:api:ip:{", address, "100/min", algorithm.configName());
      backend.acquire(new Charge[] {charge});
    }
    long after = usedHeap();
    if (backend.size() != buckets) {
      throw new IllegalStateException("expected " + buckets + " buckets, have " + backend.size());
    }
    return (after - before) / (double) buckets;
  }

  private static long usedHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
