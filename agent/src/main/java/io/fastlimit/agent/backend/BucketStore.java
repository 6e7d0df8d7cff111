package io.fastlimit.agent.backend;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * The memory backend's buckets: one group per key start (rule and bucket kind), each split in
 * {@link Segment}s by the client's hash, each an open-addressing table of {@link Bucket}s. Compact,
 * as a million counters must fit in some 100 MB: a bucket is one object holding its client (an IPv4
 * address or a short id packed in a long, a user id of up to 15 characters or an IPv6 prefix in
 * two, see {@link ClientKey}), and the table costs a reference per slot. No entry, node or key
 * object beside it, as a {@code ConcurrentHashMap<String, Bucket>} would need. A bucket is only as
 * big as its client needs: a {@link Bucket} for a client packed in one long, a {@link WideBucket}
 * for two, a {@link TextBucket} for an id kept as text.
 *
 * <p>Lookups take no lock (a table is only ever added to in place, or replaced whole); adding a
 * bucket and sweeping hold the segment's monitor. Each bucket has its own lock, so that threads
 * deciding for different clients never wait for each other. A thread that holds a bucket's lock
 * never waits for a segment's monitor; a sweep holds the monitor while it locks one bucket at a
 * time.
 */
final class BucketStore {

  /** Segments per group: enough that threads deciding for different clients rarely meet. */
  private static final int SEGMENTS = 32;

  /** Table slots of a segment's first table. */
  private static final int FIRST_SLOTS = 8;

  private final ConcurrentHashMap<String, Segment[]> groups = new ConcurrentHashMap<>();

  /**
   * Mixed into every slot's hash, so that nobody outside this JVM can pick clients that pile up in
   * one segment's probe run.
   */
  private final long seed = ThreadLocalRandom.current().nextLong();

  /**
   * A bucket, the client it counts, its lock and the flag that tells a racing caller a sweep
   * dropped it. The lock spins instead of parking: it is held for the few arithmetic steps of a
   * check, and a monitor that many request threads contend on inflates and parks them for
   * microseconds each. Not reentrant.
   *
   * <p>Of this class itself for a client packed in one long (64 bytes with compressed references);
   * a client that needs more is in a subclass. Which one follows from {@link #packed}: buckets with
   * equal {@code packed} are of the same class, so a lookup compares the rest only after that long
   * matched, and with no virtual call.
   */
  static class Bucket extends BucketState {
    private static final AtomicIntegerFieldUpdater<Bucket> LOCKED =
        AtomicIntegerFieldUpdater.newUpdater(Bucket.class, "locked");

    /** Spins before yielding: long enough for a holder on another core to finish. */
    private static final int SPINS = 64;

    /** Yields before sleeping: a holder descheduled for longer is waited for without the CPU. */
    private static final int YIELDS = 64;

    private static final long SLEEP_NANOS = 50_000;

    /**
     * The client packed ({@link ClientKey#pack}), the first of two longs ({@link WideBucket}), or
     * {@link ClientKey#NOT_PACKED} ({@link TextBucket}).
     */
    final long packed;

    private volatile int locked;

    /** Read and written under the lock. */
    boolean retired;

    Bucket(long packed) {
      this.packed = packed;
    }

    /** Whether this bucket counts the client packed as {@code packedClient} and {@code low}. */
    final boolean counts(long packedClient, long low, String text) {
      if (packed != packedClient) {
        return false;
      }
      if (packedClient == ClientKey.NOT_PACKED) {
        return ((TextBucket) this).client.equals(text);
      }
      return !ClientKey.isWide(packedClient) || ((WideBucket) this).low == low;
    }

    /** The second long of the client ({@link ClientKey#packLow}). */
    final long low() {
      return ClientKey.isWide(packed) ? ((WideBucket) this).low : 0;
    }

    /** The client, when it is kept as text; else null. */
    final String client() {
      return packed == ClientKey.NOT_PACKED ? ((TextBucket) this).client : null;
    }

    final void lock() {
      int turns = 0;
      while (!LOCKED.compareAndSet(this, 0, 1)) {
        // wait on a read, not on failing writes that pull the line from the holder's core;
        // past a few dozen turns the holder is likely descheduled: let it run, and if it still
        // does not finish (many threads on few cores), stop burning the CPU it needs
        while (locked != 0) {
          turns++;
          if (turns > SPINS + YIELDS) {
            LockSupport.parkNanos(SLEEP_NANOS);
          } else if (turns > SPINS) {
            Thread.yield();
          }
        }
      }
    }

    final void unlock() {
      LOCKED.lazySet(this, 0); // a release store: the bucket's writes are seen by the next holder
    }
  }

  /** The bucket of a client packed in two longs: 8 bytes more than a {@link Bucket}. */
  static final class WideBucket extends Bucket {
    /** The client's second long ({@link ClientKey#packLow}). */
    final long low;

    WideBucket(long packed, long low) {
      super(packed);
      this.low = low;
    }
  }

  /** The bucket of a client kept as text: 8 bytes more than a {@link Bucket}, and the text. */
  static final class TextBucket extends Bucket {
    final String client;

    TextBucket(String client) {
      super(ClientKey.NOT_PACKED);
      this.client = client;
    }
  }

  /**
   * Part of one group's buckets: an open-addressing table with linear probing, read without a lock,
   * added to under the segment's monitor, replaced by a doubled one when three quarters full and by
   * one without the buckets a sweep drops.
   */
  static final class Segment {
    /** Null until the first bucket; length a power of two. Written under the monitor. */
    private volatile Bucket[] table;

    /** Under the monitor. */
    private int count;
  }

  /** The hash that places the client in a group's segments and tables. */
  long hash(long packed, long low, String client) {
    return ClientKey.hash(packed, low, client, seed);
  }

  /** The segment of the group of {@code keyStart} that holds the client with this hash. */
  Segment segment(String keyStart, long hash) {
    Segment[] group = groups.get(keyStart);
    if (group == null) {
      // never dropped: as many groups as rule names and bucket kinds ever loaded
      group = groups.computeIfAbsent(keyStart, BucketStore::newGroup);
    }
    return group[(int) (hash >>> 59)]; // the top 5 bits; the table takes the low ones
  }

  private static Segment[] newGroup(String keyStart) {
    Segment[] group = new Segment[SEGMENTS];
    for (int i = 0; i < SEGMENTS; i++) {
      group[i] = new Segment();
    }
    return group;
  }

  /**
   * The client's bucket in {@code segment}, or null; without a lock, a bucket being added may be
   * missed: look again under the monitor before adding one.
   */
  static Bucket find(Segment segment, long hash, long packed, long low, String client) {
    Bucket[] table = segment.table;
    if (table == null) {
      return null;
    }
    int mask = table.length - 1;
    for (int i = (int) hash & mask; ; i = (i + 1) & mask) {
      Bucket bucket = table[i];
      if (bucket == null || bucket.counts(packed, low, client)) {
        return bucket;
      }
    }
  }

  /**
   * The client's bucket in the group of {@code keyStart}, or null when it holds none: a lookup that
   * never adds one (to give back or forget a charge).
   */
  Bucket held(String keyStart, String client) {
    long packed = ClientKey.pack(client);
    long low = ClientKey.packLow(client, packed);
    long hash = hash(packed, low, client);
    Segment segment = segment(keyStart, hash);
    synchronized (segment) { // a bucket being added is not missed
      return find(segment, hash, packed, low, client);
    }
  }

  /** Adds a bucket for a client {@link #find} did not find. Under the segment's monitor. */
  Bucket add(Segment segment, long hash, long packed, long low, String client) {
    Bucket[] table = segment.table;
    if (table == null) {
      table = segment.table = new Bucket[FIRST_SLOTS];
    } else if ((segment.count + 1) * 4 > table.length * 3) {
      table = segment.table = rehash(table, table.length * 2);
    }
    Bucket bucket =
        packed == ClientKey.NOT_PACKED
            ? new TextBucket(client)
            : ClientKey.isWide(packed) ? new WideBucket(packed, low) : new Bucket(packed);
    place(table, hash, bucket);
    segment.count++;
    return bucket;
  }

  private void place(Bucket[] table, long hash, Bucket bucket) {
    int mask = table.length - 1;
    int i = (int) hash & mask;
    while (table[i] != null) {
      i = (i + 1) & mask;
    }
    table[i] = bucket;
  }

  /** A table of {@code slots} with the buckets of {@code table} that no sweep dropped. */
  private Bucket[] rehash(Bucket[] table, int slots) {
    Bucket[] bigger = new Bucket[slots];
    for (Bucket bucket : table) {
      if (bucket != null && !bucket.retired) {
        place(bigger, hash(bucket.packed, bucket.low(), bucket.client()), bucket);
      }
    }
    return bigger;
  }

  /**
   * Shows every bucket to {@code visitor}, group by group, each segment under its monitor and each
   * bucket under its lock; a segment that loses buckets gets a new table sized for the rest.
   */
  void sweep(BucketVisitor visitor) {
    for (Segment[] group : groups.values()) {
      int size = 0;
      for (Segment segment : group) {
        size += segment.count; // a racy sum: a share of the group is all it is for
      }
      visitor.group(size);
      for (int s = 0; s < group.length && !visitor.done(); s++) {
        Segment segment = group[s];
        synchronized (segment) {
          sweep(segment, visitor);
        }
      }
    }
  }

  private void sweep(Segment segment, BucketVisitor visitor) {
    Bucket[] table = segment.table;
    if (table == null) {
      return;
    }
    int dropped = 0;
    for (int i = 0; i < table.length && !visitor.done(); i++) {
      Bucket bucket = table[i];
      if (bucket == null) {
        continue;
      }
      bucket.lock();
      try {
        if (!bucket.retired && visitor.drops(bucket)) {
          bucket.retired = true; // a caller that found it takes the fresh one
          dropped++;
        }
      } finally {
        bucket.unlock();
      }
    }
    if (dropped > 0) {
      segment.count -= dropped;
      int slots = FIRST_SLOTS;
      while (segment.count * 4 > slots * 3) {
        slots *= 2;
      }
      segment.table = segment.count == 0 ? null : rehash(table, slots);
    }
  }
}
