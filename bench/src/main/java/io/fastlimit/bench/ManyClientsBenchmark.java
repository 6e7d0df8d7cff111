package io.fastlimit.bench;

import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Many clients on one rule, as real traffic is (issue 15): every call is the next of {@code
 * clients} distinct IPv4 addresses, in an order unrelated to the order their buckets were made in,
 * so lookups miss the CPU caches as they do in production. The agent's whole decision against
 * Bucket4j's usual per-client setup: a {@code ConcurrentHashMap} of local buckets, {@code
 * computeIfAbsent} and {@code tryConsume(1)}. Both hold every client's bucket before measuring
 * (returning clients); no limit is ever reached.
 *
 * <p>Each side's setup ends with a full GC ({@link #settleHeap}): the buckets it made are then
 * where a long-running server keeps them, compacted in the old generation. Without it they sat in
 * eden among the setup's garbage until the first two young GCs of the run copied them (18 MB of
 * survivors at 100k clients, 60-130 ms pauses; -Xms3g leaves a 150 MB eden, some 1-2 s of calls),
 * and those GCs copied the address strings in the array's order, the order calls take them: a
 * fork's iterations took about twice as long before those GCs as after, so a fork measured fast or
 * slow by where they fell (the bimodal 500 / 1 600 ns of earlier runs). The strings are now made in
 * that order ({@link Clients#makeAddresses}), and a full GC keeps it.
 *
 * <p>The heap is touched whole at the fork's start ({@code -XX:+AlwaysPreTouch}), as a server that
 * has run for a while has touched it. Without that, the first pass through eden faults its pages in
 * one by one, and the side whose eden G1 sized larger paid for longer: the agent's one-thread
 * iterations ran at 1.5-1.7 M calls/s until its first young GC and at 2.4-2.5 M after it, in one
 * fork (Bucket4j's GCs are costlier, so G1 keeps its eden small and it paid less).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ManyClientsBenchmark {

  private static final String PATH = BenchRules.pathOfLastRule(1);

  /** What both sides share: the addresses, in the order calls take them. */
  @State(Scope.Benchmark)
  public static class Clients {
    @Param({"100000", "1000000"})
    int clients;

    String[] addresses;

    /** The slice of the addresses the next thread takes ({@link Cursor}). */
    final AtomicInteger nextSlice = new AtomicInteger();

    /**
     * The addresses in a shuffled order, each made in the order calls take them, so that they lie
     * one after the other in memory: reading the next is a prefetched line, as a server's just-made
     * address string is in cache, on both sides. Made in another order, each call missed on its
     * string until a young GC happened to copy them in the array's order.
     */
    @Setup(Level.Trial)
    public void makeAddresses() {
      Integer[] order = new Integer[clients];
      for (int i = 0; i < clients; i++) {
        order[i] = i;
      }
      shuffle(order, new Random(1));
      addresses = new String[clients];
      for (int k = 0; k < clients; k++) {
        int i = order[k];
        addresses[k] = "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255);
      }
    }

    /** The addresses in another order: the order buckets are made in. */
    String[] creationOrder() {
      String[] order = addresses.clone();
      shuffle(order, new Random(2));
      return order;
    }

    private static <T> void shuffle(T[] array, Random random) {
      for (int i = array.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        T swap = array[i];
        array[i] = array[j];
        array[j] = swap;
      }
    }
  }

  /**
   * One thread's place in the addresses: its own slice of them, walked round and round, so that no
   * two threads ever decide for the same client (threads that walked one shared order from
   * different places drifted into step when the scheduler favoured one, and then contended for
   * every bucket they met).
   */
  @State(Scope.Thread)
  public static class Cursor {
    int from;
    int to;
    int next;

    @Setup(Level.Trial)
    public void start(Clients clients, BenchmarkParams params) {
      start(clients, params.getThreads());
    }

    /** Takes the next of {@code threads} slices. */
    void start(Clients clients, int threads) {
      int slice = clients.nextSlice.getAndIncrement();
      from = (int) ((long) clients.clients * slice / threads);
      to = (int) ((long) clients.clients * (slice + 1) / threads);
      next = from;
    }

    String address(Clients clients) {
      String address = clients.addresses[next];
      next = next + 1 == to ? from : next + 1;
      return address;
    }
  }

  /** The agent: one rule, the in-memory backend, the whole decision per call. */
  @State(Scope.Benchmark)
  public static class Agent {
    RateLimitBridge limiter;

    @Setup(Level.Trial)
    public void setUp(Clients clients) {
      limiter = BenchRules.limiter(1, "sliding-window");
      for (String address : clients.creationOrder()) {
        Verdict verdict = decide(address);
        if (verdict == null || verdict.isBlocked() || verdict.headerCount() == 0) {
          throw new IllegalStateException("the benchmark request is not an admitted, limited one");
        }
      }
      settleHeap();
    }

    Verdict decide(String address) {
      return limiter
          .rules()
          .decide(Stage.SERVLET_ALONE, "GET", "", PATH, null, address, null, null);
    }
  }

  /** Bucket4j as it is used per client: a map of local buckets. */
  @State(Scope.Benchmark)
  public static class Bucket4jMap {
    final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    @Setup(Level.Trial)
    public void setUp(Clients clients) {
      for (String address : clients.creationOrder()) {
        if (!tryConsume(address)) {
          throw new IllegalStateException("a Bucket4j bucket refused its first request");
        }
      }
      settleHeap();
    }

    boolean tryConsume(String address) {
      return buckets.computeIfAbsent(address, Bucket4jMap::newBucket).tryConsume(1);
    }

    private static Bucket newBucket(String address) {
      return Bucket.builder()
          .addLimit(
              limit ->
                  limit
                      .capacity(BenchRules.HUGE_CAPACITY)
                      .refillGreedy(BenchRules.HUGE_CAPACITY, Duration.ofMinutes(1)))
          .build();
    }
  }

  /**
   * A full GC after a side's buckets are made, so that both sides are measured with their buckets
   * compacted in the old generation, as in a server that has run for a while, rather than spread
   * over eden among the setup's garbage until a young GC in the middle of the measurement moves
   * them.
   */
  static void settleHeap() {
    System.gc();
    System.gc(); // the first may leave what finalization or reference processing freed
  }

  @Benchmark
  @Threads(1)
  public Verdict agentOneThread(Agent agent, Clients clients, Cursor cursor) {
    return agent.decide(cursor.address(clients));
  }

  @Benchmark
  @Threads(8)
  public Verdict agentEightThreads(Agent agent, Clients clients, Cursor cursor) {
    return agent.decide(cursor.address(clients));
  }

  @Benchmark
  @Threads(1)
  public boolean bucket4jMapOneThread(Bucket4jMap map, Clients clients, Cursor cursor) {
    return map.tryConsume(cursor.address(clients));
  }

  @Benchmark
  @Threads(8)
  public boolean bucket4jMapEightThreads(Bucket4jMap map, Clients clients, Cursor cursor) {
    return map.tryConsume(cursor.address(clients));
  }
}
