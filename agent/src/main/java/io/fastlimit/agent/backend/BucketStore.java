package io.fastlimit.agent.backend;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The memory backend's buckets: one group per key start (rule and bucket kind), each split in
 * {@link Segment}s by the client's hash, each an open-addressing table of {@link Bucket}s under one
 * lock. Compact, as a million counters must fit in some 100 MB: a bucket is one object holding its
 * client (an IPv4 address or a short id packed in a long, see {@link ClientKey}), and the table
 * costs a reference per slot. No entry, node or key object beside it, as a {@code
 * ConcurrentHashMap<String, Bucket>} would need.
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

  /** A bucket and the client it counts; its lock is its segment's. */
  static final class Bucket extends BucketState {
    /** The client packed ({@link ClientKey#pack}), or {@link ClientKey#NOT_PACKED}. */
    final long packed;

    /** The client, when it is not packed; else null. */
    final String client;

    Bucket(long packed, String client) {
      this.packed = packed;
      this.client = packed == ClientKey.NOT_PACKED ? client : null;
    }

    boolean counts(long packedClient, String text) {
      return packedClient == ClientKey.NOT_PACKED
          ? client != null && client.equals(text)
          : packed == packedClient;
    }
  }

  /**
   * Part of one group's buckets, under one lock: an open-addressing table with linear probing,
   * doubled when three quarters full and rebuilt without the buckets a sweep drops.
   */
  static final class Segment extends SpinLock {
    final String keyStart;
    final int index;

    /** Null until the first bucket; length a power of two. Under the lock. */
    private Bucket[] table;

    private int count;

    Segment(String keyStart, int index) {
      this.keyStart = keyStart;
      this.index = index;
    }

    /** Orders segments for locking several: by group, then by place in it. */
    int compareTo(Segment other) {
      return keyStart == other.keyStart // one group's segments share their key start
          ? Integer.compare(index, other.index)
          : keyStart.compareTo(other.keyStart);
    }
  }

  /** The hash that places the client in a group's segments and tables. */
  long hash(long packed, String client) {
    return ClientKey.hash(packed, client, seed);
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
      group[i] = new Segment(keyStart, i);
    }
    return group;
  }

  /** The client's bucket in {@code segment}, or null. Under the segment's lock. */
  static Bucket find(Segment segment, long hash, long packed, String client) {
    Bucket[] table = segment.table;
    if (table == null) {
      return null;
    }
    int mask = table.length - 1;
    for (int i = (int) hash & mask; ; i = (i + 1) & mask) {
      Bucket bucket = table[i];
      if (bucket == null || bucket.counts(packed, client)) {
        return bucket;
      }
    }
  }

  /** Adds a bucket for a client {@link #find} did not find. Under the segment's lock. */
  Bucket add(Segment segment, long hash, long packed, String client) {
    Bucket[] table = segment.table;
    if (table == null) {
      table = segment.table = new Bucket[FIRST_SLOTS];
    } else if ((segment.count + 1) * 4 > table.length * 3) {
      table = segment.table = rehash(table, table.length * 2, table.length);
    }
    Bucket bucket = new Bucket(packed, client);
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

  /** A table of {@code slots} with the first {@code from} slots of {@code table}'s buckets. */
  private Bucket[] rehash(Bucket[] table, int slots, int from) {
    Bucket[] bigger = new Bucket[slots];
    for (int i = 0; i < from; i++) {
      Bucket bucket = table[i];
      if (bucket != null) {
        place(bigger, hash(bucket.packed, bucket.client), bucket);
      }
    }
    return bigger;
  }

  /**
   * Shows every bucket to {@code visitor}, group by group, each segment under its lock; a segment
   * that loses buckets gets a new table sized for the rest.
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
        segment.lock();
        try {
          sweep(segment, visitor);
        } finally {
          segment.unlock();
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
      if (table[i] != null && visitor.drops(table[i])) {
        table[i] = null; // the table is rebuilt below: no probe run is read meanwhile
        dropped++;
      }
    }
    if (dropped > 0) {
      segment.count -= dropped;
      int slots = FIRST_SLOTS;
      while (segment.count * 4 > slots * 3) {
        slots *= 2;
      }
      segment.table = segment.count == 0 ? null : rehash(table, slots, table.length);
    }
  }
}
