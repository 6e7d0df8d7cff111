package io.fastlimit.agent.backend;

import io.fastlimit.agent.observe.AgentLog;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Counters in this JVM's heap. No global lock: each bucket is its own monitor, and the buckets of
 * one request are locked in key order so that several charges are one atomic step without
 * deadlock. Bounded: buckets that are back to their full limit are dropped (that changes no
 * answer), and past {@code maxKeys} live buckets are evicted too (in hash order, not by age: an
 * evicted client starts afresh), so a flood of distinct clients cannot exhaust the heap.
 */
public final class MemoryBackend implements Backend {

  /** Default bound on buckets held: about a million, some 150 MB at most. */
  public static final int DEFAULT_MAX_KEYS = 1 << 20;

  private static final int SWEEP_EVERY_NEW_KEYS = 1 << 16;

  private final ConcurrentHashMap<BucketKey, Bucket> buckets = new ConcurrentHashMap<>();
  private final LongSupplier clock;
  private final int maxKeys;
  private final AtomicInteger newKeysSinceSweep = new AtomicInteger();
  private final ReentrantLock sweeping = new ReentrantLock();
  private volatile boolean sweepDue;

  public MemoryBackend() {
    this(monotonicClock(), DEFAULT_MAX_KEYS);
  }

  /**
   * Epoch milliseconds that never go backwards: the wall clock read once, advanced by
   * System.nanoTime. A wall clock stepped back by NTP would otherwise wipe fixed- and
   * sliding-window counts and shorten token-bucket waits below the truth.
   */
  public static LongSupplier monotonicClock() {
    final long epochAtStart = System.currentTimeMillis();
    final long nanosAtStart = System.nanoTime();
    return () -> epochAtStart + (System.nanoTime() - nanosAtStart) / 1_000_000L;
  }

  /** A backend reading time from {@code clock} (epoch milliseconds), holding at most maxKeys. */
  public MemoryBackend(LongSupplier clock, int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1");
    }
    this.clock = clock;
    this.maxKeys = maxKeys;
  }

  /**
   * A charge's key in its two parts, so that a lookup hashes the client id (short) and the rule's
   * constant part (its hash cached) instead of building and hashing the whole key string.
   */
  private static final class BucketKey implements Comparable<BucketKey> {
    final String bucket;
    final String client;
    final int hash;

    BucketKey(Charge charge) {
      this.bucket = charge.bucket();
      this.client = charge.client();
      this.hash = bucket.hashCode() * 31 + (client == null ? 0 : client.hashCode());
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object other) {
      if (!(other instanceof BucketKey)) {
        return false;
      }
      BucketKey that = (BucketKey) other;
      return hash == that.hash
          && (client == null ? that.client == null : client.equals(that.client))
          && bucket.equals(that.bucket);
    }

    @Override
    public int compareTo(BucketKey other) {
      int byBucket = bucket.compareTo(other.bucket);
      if (byBucket != 0 || client == other.client) {
        return byBucket;
      }
      if (client == null || other.client == null) {
        return client == null ? -1 : 1;
      }
      return client.compareTo(other.client);
    }

    @Override
    public String toString() {
      return client == null ? bucket : bucket + client + '}';
    }
  }

  /** A bucket with the flag that tells a racing caller it was dropped from the map. */
  private static final class Bucket extends BucketState {
    boolean retired;
  }

  @Override
  public Outcome[] acquire(Charge[] charges) {
    if (charges.length == 1) {
      return new Outcome[] {acquire(charges[0])};
    }
    Bucket[] held = new Bucket[charges.length];
    int[] order = lockOrder(charges);
    Outcome[] outcomes = lockThenApply(0, order, held, charges, clock.getAsLong());
    sweepIfDue();
    return outcomes;
  }

  /** One charge, the common case: one lock, no arrays. */
  @Override
  public Outcome acquire(Charge charge) {
    Outcome outcome = acquireOne(charge, clock.getAsLong());
    sweepIfDue();
    return outcome;
  }

  private void sweepIfDue() {
    if (sweepDue) {
      // only once this request holds no bucket: a sweep locks every bucket in turn, and a new
      // bucket must be charged before a sweep can see it (unused, it looks idle)
      sweep();
    }
  }

  private Outcome acquireOne(Charge charge, long now) {
    while (true) {
      Bucket bucket = bucketFor(new BucketKey(charge));
      synchronized (bucket) {
        if (bucket.retired) {
          continue; // dropped by a sweep between lookup and lock: take the fresh one
        }
        Outcome outcome =
            bucket.check(
                charge.algorithm(), charge.limit(), charge.windowMillis(), charge.cost(), now);
        if (outcome.allowed()) {
          bucket.commit(charge.windowMillis(), charge.cost());
        }
        return outcome;
      }
    }
  }

  /** Number of buckets held now. */
  public int size() {
    return buckets.size();
  }

  private static int[] lockOrder(Charge[] charges) {
    int[] order = new int[charges.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // insertion sort: a request has a handful of charges at most
    for (int i = 1; i < order.length; i++) {
      int current = order[i];
      int j = i - 1;
      while (j >= 0
          && new BucketKey(charges[order[j]]).compareTo(new BucketKey(charges[current])) > 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = current;
    }
    return order;
  }

  private Outcome[] lockThenApply(
      int depth, int[] order, Bucket[] held, Charge[] charges, long now) {
    if (depth == order.length) {
      return apply(held, charges, now);
    }
    int index = order[depth];
    Bucket bucket = bucketFor(new BucketKey(charges[index]));
    synchronized (bucket) {
      if (bucket.retired) {
        // dropped by a sweep between lookup and lock: take the fresh one
        return lockThenApply(depth, order, held, charges, now);
      }
      held[index] = bucket;
      return lockThenApply(depth + 1, order, held, charges, now);
    }
  }

  private static Outcome[] apply(Bucket[] held, Charge[] charges, long now) {
    Outcome[] outcomes = new Outcome[charges.length];
    boolean admitted = true;
    for (int i = 0; i < charges.length; i++) {
      Charge charge = charges[i];
      outcomes[i] =
          held[i].check(
              charge.algorithm(), charge.limit(), charge.windowMillis(), charge.cost(), now);
      if (!outcomes[i].allowed() && !charge.observeOnly()) {
        admitted = false;
      }
    }
    if (admitted) {
      for (int i = 0; i < charges.length; i++) {
        if (outcomes[i].allowed()) {
          held[i].commit(charges[i].windowMillis(), charges[i].cost());
        }
      }
    }
    return outcomes;
  }

  private Bucket bucketFor(BucketKey key) {
    Bucket bucket = buckets.get(key);
    if (bucket != null) {
      return bucket;
    }
    Bucket created = new Bucket();
    bucket = buckets.putIfAbsent(key, created);
    if (bucket != null) {
      return bucket;
    }
    if (newKeysSinceSweep.incrementAndGet() >= SWEEP_EVERY_NEW_KEYS
        || buckets.size() > maxKeys) {
      sweepDue = true;
    }
    return created;
  }

  /** Drops idle buckets; if still over the bound, evicts live ones until 10% below it. */
  private void sweep() {
    if (!sweeping.tryLock()) {
      return; // another thread is at it; the bound is enforced again on the next new key
    }
    try {
      sweepDue = false;
      newKeysSinceSweep.set(0);
      long now = clock.getAsLong();
      for (Map.Entry<BucketKey, Bucket> entry : buckets.entrySet()) {
        Bucket bucket = entry.getValue();
        synchronized (bucket) {
          if (!bucket.retired && bucket.isIdle(now)) {
            retire(entry.getKey(), bucket);
          }
        }
      }
      int target = maxKeys - maxKeys / 10;
      if (buckets.size() > maxKeys) {
        AgentLog.once(
            "memory backend: more than "
                + maxKeys
                + " clients are active at once; evicting live counters (raise memory.max-keys"
                + " or use Redis)",
            null);
        Iterator<Map.Entry<BucketKey, Bucket>> it = buckets.entrySet().iterator();
        while (buckets.size() > target && it.hasNext()) {
          Map.Entry<BucketKey, Bucket> entry = it.next();
          synchronized (entry.getValue()) {
            retire(entry.getKey(), entry.getValue());
          }
        }
      }
    } finally {
      sweeping.unlock();
    }
  }

  private void retire(BucketKey key, Bucket bucket) {
    bucket.retired = true;
    buckets.remove(key, bucket);
  }

  @Override
  public String toString() {
    return "memory backend (" + buckets.size() + " of at most " + maxKeys + " buckets)";
  }

  // visible for tests
  String[] keys() {
    String[] keys = new String[buckets.size()];
    int i = 0;
    for (BucketKey key : buckets.keySet()) {
      if (i < keys.length) {
        keys[i++] = key.toString();
      }
    }
    keys = Arrays.copyOf(keys, i);
    Arrays.sort(keys);
    return keys;
  }
}
