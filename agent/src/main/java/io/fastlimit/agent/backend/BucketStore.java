package io.fastlimit.agent.backend;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * The memory backend's buckets by their key start (one map per rule and bucket kind), then by
 * client id: a lookup hashes strings that already exist instead of building a key object per
 * request, and a held bucket costs no key object either. Each bucket has its own lock.
 */
final class BucketStore {

  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Bucket>> groups =
      new ConcurrentHashMap<>();

  /**
   * A bucket with its lock and the flag that tells a racing caller it was dropped from the map. The
   * lock spins instead of parking: it is held for the few arithmetic steps of a check, and a
   * monitor that many request threads contend on inflates and parks them for microseconds each. Not
   * reentrant.
   */
  static final class Bucket extends BucketState {
    private static final AtomicIntegerFieldUpdater<Bucket> LOCKED =
        AtomicIntegerFieldUpdater.newUpdater(Bucket.class, "locked");

    /** Spins before yielding: long enough for a holder on another core to finish. */
    private static final int SPINS = 64;

    /** Yields before sleeping: a holder descheduled for longer is waited for without the CPU. */
    private static final int YIELDS = 64;

    private static final long SLEEP_NANOS = 50_000;

    private volatile int locked;

    /** Read and written under the lock. */
    boolean retired;

    void lock() {
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

    void unlock() {
      LOCKED.lazySet(this, 0); // a release store: the bucket's writes are seen by the next holder
    }
  }

  /** The bucket of {@code client} in the group of {@code keyStart}, or null. */
  Bucket get(String keyStart, String client) {
    ConcurrentHashMap<String, Bucket> inGroup = groups.get(keyStart);
    return inGroup == null ? null : inGroup.get(client);
  }

  /** Adds {@code created} unless a racing caller added one first: then returns that one. */
  Bucket putIfAbsent(String keyStart, String client, Bucket created) {
    ConcurrentHashMap<String, Bucket> inGroup = groups.get(keyStart);
    if (inGroup == null) {
      // one map per rule and bucket kind, never dropped: as many as rule names ever loaded
      inGroup = groups.computeIfAbsent(keyStart, k -> new ConcurrentHashMap<>());
    }
    return inGroup.putIfAbsent(client, created);
  }

  /** Shows every bucket to {@code visitor}, group by group, each under its lock. */
  void sweep(BucketVisitor visitor) {
    for (ConcurrentHashMap<String, Bucket> inGroup : groups.values()) {
      visitor.group(inGroup.size());
      Iterator<Map.Entry<String, Bucket>> it = inGroup.entrySet().iterator();
      while (!visitor.done() && it.hasNext()) {
        Map.Entry<String, Bucket> entry = it.next();
        Bucket bucket = entry.getValue();
        bucket.lock();
        try {
          if (!bucket.retired && visitor.drops(bucket)) {
            bucket.retired = true;
            inGroup.remove(entry.getKey(), bucket);
          }
        } finally {
          bucket.unlock();
        }
      }
    }
  }
}
