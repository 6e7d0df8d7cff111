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
   * Default bound on buckets held: about a million, some 75 MB at most for IPv4 clients (72 bytes
   * each, {@code MemoryPerKey}; 80 for user ids of up to 15 characters and IPv6 prefixes); ids kept
   * as text cost their text too.
   */
  public static final int DEFAULT_MAX_KEYS = 1 << 20;

  private final BucketStore store = new BucketStore();
  private final LongSupplier clock;
  private final MemoryBound bound;
  private final ResetTimes resets = new ResetTimes();

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
    int[] order = lockOrder(charges);
    Bucket[] held = new Bucket[charges.length];
    Outcome[] outcomes;
    while (true) {
      // every bucket found or made first: a thread that holds a bucket's lock never waits for a
      // segment, which a sweep holds while it locks buckets
      for (int i = 0; i < charges.length; i++) {
        held[i] = bucketFor(charges[i].keyStart(), charges[i].client(), now); // null: refused
      }
      int locked = lockAll(held, order);
      if (locked < 0) {
        continue; // a sweep dropped one of them meanwhile: take the fresh ones
      }
      try {
        now = bound.notBeforeSweep(now);
        outcomes = apply(held, charges, now);
      } finally {
        unlock(held, order, locked);
      }
      break;
    }
    bound.sweepIfDue(store, clock); // only once this request holds no bucket
    return outcomes;
  }

  /**
   * Locks the held buckets in key order, each once; returns how many places of {@code order} it
   * went through, or -1 (all unlocked again) when a sweep had dropped one.
   */
  private static int lockAll(Bucket[] held, int[] order) {
    for (int i = 0; i < order.length; i++) {
      Bucket bucket = held[order[i]];
      if (bucket == null || (i > 0 && bucket == held[order[i - 1]])) {
        continue; // refused, or the same bucket twice: locked once
      }
      bucket.lock();
      if (bucket.retired) {
        unlock(held, order, i + 1);
        return -1;
      }
    }
    return order.length;
  }

  private static void unlock(Bucket[] held, int[] order, int locked) {
    for (int i = locked - 1; i >= 0; i--) {
      Bucket bucket = held[order[i]];
      if (bucket != null && (i == 0 || bucket != held[order[i - 1]])) {
        bucket.unlock();
      }
    }
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
            charge.clientV4(),
            charge.algorithm(),
            charge.limit(),
            charge.windowMillis(),
            charge.cost());
    bound.sweepIfDue(store, clock); // only once this request holds no bucket
    return outcome;
  }

  private Outcome acquireOne(
      String keyStart,
      String client,
      long clientV4,
      Algorithm algorithm,
      long limit,
      long window,
      long cost) {
    long now = clock.getAsLong();
    // the limiter parsed an IPv4 client already: not a second time per request
    long packed = clientV4 >= 0 ? ClientKey.ipv4(clientV4) : ClientKey.pack(client);
    while (true) {
      Bucket bucket = bucketFor(keyStart, client, packed, now);
      if (bucket == null) {
        return bound.refused(now);
      }
      bucket.lock();
      try {
        if (bucket.retired) {
          continue; // dropped by a sweep between lookup and lock: take the fresh one
        }
        now = bound.notBeforeSweep(now); // a sweep since the clock was read dropped it as over
        Outcome outcome = bucket.check(algorithm, limit, window, cost, now);
        if (outcome.allowed()) {
          bucket.commit(window, cost);
        }
        return outcome;
      } finally {
        bucket.unlock();
      }
    }
  }

  /** Gives back under each bucket's lock; a bucket no longer held has nothing to give back. */
  @Override
  public void giveBack(Charge[] charges, long[] chargedAtMillis) {
    for (int i = 0; i < charges.length; i++) {
      Charge charge = charges[i];
      Bucket bucket = store.held(charge.keyStart(), charge.client());
      if (bucket == null) {
        continue;
      }
      bucket.lock();
      try {
        // a charge from before a reset is not in the bucket: what it holds began after the reset
        if (!bucket.retired
            && !resets.before(charge.keyStart(), charge.client(), chargedAtMillis[i])) {
          bucket.giveBack(
              charge.algorithm(),
              charge.limit(),
              charge.windowMillis(),
              charge.cost(),
              chargedAtMillis[i]);
        }
      } finally {
        bucket.unlock();
      }
    }
  }

  /**
   * Forgets the client's counts in place, under the bucket's lock: its next request starts afresh,
   * and the emptied bucket is idle, so a sweep drops it like any other.
   */
  @Override
  public boolean reset(String keyStart, String client) {
    Bucket bucket = store.held(keyStart, client);
    if (bucket == null) {
      resets.record(keyStart, client, clock.getAsLong());
      return false;
    }
    bucket.lock();
    try {
      boolean held = !bucket.retired && bucket.forget();
      // under the lock that give-backs take too, after the counts went: a give-back of a charge
      // counted before them never reaches the counts that begin after
      resets.record(keyStart, client, clock.getAsLong());
      return held;
    } finally {
      bucket.unlock();
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

  private static int[] lockOrder(Charge[] charges) {
    int[] order = new int[charges.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // insertion sort: a request has a handful of charges at most
    for (int i = 1; i < order.length; i++) {
      int current = order[i];
      int j = i - 1;
      while (j >= 0 && compare(charges[order[j]], charges[current]) > 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = current;
    }
    return order;
  }

  /** Orders charges by their bucket's key: the order buckets are locked in. */
  private static int compare(Charge one, Charge other) {
    int byKeyStart = one.keyStart().compareTo(other.keyStart());
    return byKeyStart != 0 ? byKeyStart : one.client().compareTo(other.client());
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
   * The client's bucket, found without a lock, else made under its segment's monitor; null when
   * there is no room for a new one. A bucket found may have been dropped since: check {@code
   * retired} under its lock.
   */
  private Bucket bucketFor(String keyStart, String client, long now) {
    return bucketFor(keyStart, client, ClientKey.pack(client), now);
  }

  /**
   * As {@link #bucketFor(String, String, long)}, with the client packed ({@link ClientKey#pack}).
   */
  private Bucket bucketFor(String keyStart, String client, long packed, long now) {
    long low = ClientKey.packLow(client, packed);
    long hash = store.hash(packed, low, client);
    Segment segment = store.segment(keyStart, hash);
    Bucket bucket = BucketStore.find(segment, hash, packed, low, client);
    if (bucket != null && !bucket.retired) {
      return bucket;
    }
    // not there, or dropped by a sweep that may not have replaced the table yet: it has once
    // the monitor is ours
    synchronized (segment) {
      bucket = BucketStore.find(segment, hash, packed, low, client);
      if (bucket != null) {
        return bucket;
      }
      if (!bound.tryAdd(now)) {
        return null;
      }
      return store.add(segment, hash, packed, low, client);
    }
  }

  @Override
  public String toString() {
    return "memory backend (" + bound + ")";
  }
}
