package io.fastlimit.agent.backend;

import io.fastlimit.agent.backend.BucketStore.Bucket;
import io.fastlimit.agent.backend.BucketStore.Segment;
import io.fastlimit.agent.rules.Algorithm;
import java.util.function.LongSupplier;

/**
 * Counters in this JVM's heap ({@link BucketStore}). No global lock: each segment of buckets has
 * its own, and the segments of one request are locked in one order so that several charges are one
 * atomic step without deadlock. Bounded ({@link MemoryBound}): past {@code maxKeys} buckets new
 * clients get one only once a sweep has made room, so a flood of distinct clients cannot exhaust
 * the heap.
 */
public final class MemoryBackend implements Backend {

  /**
   * Default bound on buckets held: about a million, some 77 MB at most for IPv4 clients (73 bytes
   * each, {@code MemoryPerKey}); ids kept as text cost their text too.
   */
  public static final int DEFAULT_MAX_KEYS = 1 << 20;

  private final BucketStore store = new BucketStore();
  private final LongSupplier clock;
  private final MemoryBound bound;

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
    this.bound = new MemoryBound(maxKeys);
    this.clock = clock;
  }

  @Override
  public Outcome[] acquire(Charge[] charges) {
    if (charges.length == 1) {
      return new Outcome[] {acquire(charges[0])};
    }
    long now = clock.getAsLong();
    int count = charges.length;
    long[] packed = new long[count];
    long[] hashes = new long[count];
    Segment[] segments = new Segment[count];
    for (int i = 0; i < count; i++) {
      packed[i] = ClientKey.pack(charges[i].client());
      hashes[i] = store.hash(packed[i], charges[i].client());
      segments[i] = store.segment(charges[i].keyStart(), hashes[i]);
    }
    int[] order = lockOrder(segments);
    Outcome[] outcomes;
    int locked = 0;
    try {
      for (; locked < count; locked++) {
        Segment segment = segments[order[locked]];
        if (locked == 0 || segment != segments[order[locked - 1]]) {
          segment.lock(); // a segment twice (two clients, or one bucket twice) is locked once
        }
      }
      Bucket[] held = new Bucket[count];
      for (int i = 0; i < count; i++) {
        // null when refused: no room for a new client
        held[i] = bucketFor(segments[i], hashes[i], packed[i], charges[i].client(), now);
      }
      outcomes = apply(held, charges, now);
    } finally {
      for (int i = locked - 1; i >= 0; i--) {
        Segment segment = segments[order[i]];
        if (i == 0 || segment != segments[order[i - 1]]) {
          segment.unlock();
        }
      }
    }
    bound.sweepIfDue(store, clock); // only once this request holds no lock
    return outcomes;
  }

  /**
   * One charge, the common case: one lock, no arrays. The charge goes no further than this method,
   * so that once it is inlined into the limiter the charge object need not be allocated.
   */
  @Override
  public Outcome acquire(Charge charge) {
    Outcome outcome =
        acquireOne(
            charge.keyStart(),
            charge.client(),
            charge.algorithm(),
            charge.limit(),
            charge.windowMillis(),
            charge.cost());
    bound.sweepIfDue(store, clock); // only once this request holds no lock
    return outcome;
  }

  private Outcome acquireOne(
      String keyStart, String client, Algorithm algorithm, long limit, long window, long cost) {
    long now = clock.getAsLong();
    long packed = ClientKey.pack(client);
    long hash = store.hash(packed, client);
    Segment segment = store.segment(keyStart, hash);
    segment.lock();
    try {
      Bucket bucket = bucketFor(segment, hash, packed, client, now);
      if (bucket == null) {
        return bound.refused(now);
      }
      Outcome outcome = bucket.check(algorithm, limit, window, cost, now);
      if (outcome.allowed()) {
        bucket.commit(window, cost);
      }
      return outcome;
    } finally {
      segment.unlock();
    }
  }

  /** Number of buckets held now. */
  public int size() {
    return bound.size();
  }

  /** Requests of clients without a bucket refused because the bound had no room for them. */
  public long newClientsRefused() {
    return bound.newClientsRefused();
  }

  /** The order segments are locked in, so that requests locking several never deadlock. */
  private static int[] lockOrder(Segment[] segments) {
    int[] order = new int[segments.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // insertion sort: a request has a handful of charges at most
    for (int i = 1; i < order.length; i++) {
      int current = order[i];
      int j = i - 1;
      while (j >= 0 && segments[order[j]].compareTo(segments[current]) > 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = current;
    }
    return order;
  }

  private Outcome[] apply(Bucket[] held, Charge[] charges, long now) {
    Outcome[] outcomes = new Outcome[charges.length];
    boolean admitted = true;
    for (int i = 0; i < charges.length; i++) {
      Charge charge = charges[i];
      outcomes[i] =
          held[i] == null
              ? bound.refused(now)
              : held[i].check(
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

  /**
   * The client's bucket, created if need be; null when there is no room for a new one. Under the
   * segment's lock.
   */
  private Bucket bucketFor(Segment segment, long hash, long packed, String client, long now) {
    Bucket bucket = BucketStore.find(segment, hash, packed, client);
    if (bucket != null) {
      return bucket;
    }
    if (!bound.admitsNewBucket(now)) {
      return null;
    }
    bound.added(now);
    return store.add(segment, hash, packed, client);
  }

  @Override
  public String toString() {
    return "memory backend (" + bound + ")";
  }
}
