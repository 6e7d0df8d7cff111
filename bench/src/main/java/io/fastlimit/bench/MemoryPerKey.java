package io.fastlimit.bench;

import io.fastlimit.agent.backend.BucketKind;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.rules.Algorithm;
import io.fastlimit.agent.rules.RateLimitRule;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Heap bytes per bucket of the memory backend, with keys as the limiter builds them ({@code
 * fastlimit:api:ip:{203.0.113.7}}). Not a JMH benchmark: it fills a backend with N live buckets and
 * compares the used heap after full GCs, before and after. Each bucket has had one request;
 * sliding-log buckets, whose memory grows with the requests in the window, are measured full too
 * (one request of cost = limit), for a few limits, on fewer buckets.
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
    System.out.printf(
        "%-15s %,d buckets of user ids (user-1234567): %.0f bytes per bucket%n",
        Algorithm.SLIDING_WINDOW.configName(),
        buckets,
        bytesPerBucket(Algorithm.SLIDING_WINDOW, buckets, i -> "user-" + (1_000_000 + i)));
    System.out.printf(
        "%-15s %,d buckets of IPv6 /64 (2001:db8:0:1234:0:0:0:0/64): %.0f bytes per bucket%n",
        Algorithm.SLIDING_WINDOW.configName(),
        buckets,
        bytesPerBucket(
            Algorithm.SLIDING_WINDOW,
            buckets,
            i ->
                "2001:db8:"
                    + Integer.toHexString(i >>> 16)
                    + ":"
                    + Integer.toHexString(i & 0xffff)
                    + ":0:0:0:0/64"));
    for (long limit : new long[] {5, 10, 100, 1_000}) {
      // at most some 20 million entries (160 MB) in all
      int full = (int) Math.min(buckets, 20_000_000 / limit);
      System.out.printf(
          "%-15s %,d buckets full at limit %d: %.0f bytes per bucket%n",
          Algorithm.SLIDING_LOG.configName(), full, limit, bytesPerFullSlidingLog(limit, full));
    }
  }

  /** Client ids as the limiter makes them: a canonical IPv4 address. */
  static String address(int i) {
    return "10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255);
  }

  static double bytesPerBucket(Algorithm algorithm, int buckets) {
    return bytesPerBucket(algorithm, buckets, MemoryPerKey::address);
  }

  /** Per bucket with clients named by {@code client}: ids that do not pack cost their text. */
  static double bytesPerBucket(Algorithm algorithm, int buckets, IntFunction<String> client) {
    AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    MemoryBackend backend = new MemoryBackend(clock::get, buckets + 1);
    // the rule parsed once: its charges differ only in the client
    RateLimitRule rule =
        BenchRules.charge("fastlimit:api:ip:{", "-", "100/min", algorithm.configName()).rule();
    long before = usedHeap();
    for (int i = 0; i < buckets; i++) {
      backend.acquire(
          new Charge[] {new Charge(rule, BucketKind.IP, "fastlimit:api:ip:{", client.apply(i))});
    }
    long after = usedHeap();
    if (backend.size() != buckets) {
      throw new IllegalStateException("expected " + buckets + " buckets, have " + backend.size());
    }
    return (after - before) / (double) buckets;
  }

  /** Sliding-log buckets that each hold {@code limit} entries: the most one may hold. */
  static double bytesPerFullSlidingLog(long limit, int buckets) {
    AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    MemoryBackend backend = new MemoryBackend(clock::get, buckets + 1);
    RateLimitRule rule = rule(limit + "/min", limit);
    long before = usedHeap();
    for (int i = 0; i < buckets; i++) {
      Charge charge = new Charge(rule, BucketKind.IP, "fastlimit:api:ip:{", address(i));
      if (!backend.acquire(new Charge[] {charge})[0].allowed()) {
        throw new IllegalStateException("a full sliding log was refused its first request");
      }
    }
    long after = usedHeap();
    if (backend.size() != buckets) {
      throw new IllegalStateException("expected " + buckets + " buckets, have " + backend.size());
    }
    return (after - before) / (double) buckets;
  }

  private static RateLimitRule rule(String limit, long cost) {
    String yaml =
        "algorithm: sliding-log\nrules:\n  - {path: /hot, limit: "
            + limit
            + ", cost: "
            + cost
            + "}\n";
    try {
      return ConfigLoader.parse(yaml, "memory-per-key.yaml", name -> null).rules().rules().get(0);
    } catch (ConfigException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static long usedHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
