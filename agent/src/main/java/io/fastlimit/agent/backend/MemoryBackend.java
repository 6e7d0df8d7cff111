package io.fastlimit.agent.backend;

import io.fastlimit.agent.observe.AgentLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Counters in this JVM's heap. No global lock: each bucket has its own, and the buckets of one
 * request are locked in key order so that several charges are one atomic step without deadlock.
 * Bounded: buckets that are back to their full limit are dropped (that changes no answer), and past
 * {@code maxKeys} live buckets are evicted too, so a flood of distinct clients cannot exhaust the
 * heap. An evicted client starts afresh, so eviction takes first the buckets of clients seen once
 * or that used at most half their limit: a flood of one-off clients cannot wipe the counter of a
 * client that keeps coming back and is being limited. A bucket that refuses its client's next
 * request is never evicted before its full limit is back; when such buckets fill the bound, new
 * clients are refused (not counted, not admitted) until room frees up.
 */
public final class MemoryBackend implements Backend {

  /** Default bound on buckets held: about a million, some 165 MB at most (157 bytes each). */
  public static final int DEFAULT_MAX_KEYS = 1 << 20;

  private static final int SWEEP_EVERY_NEW_KEYS = 1 << 16;

  /**
   * While buckets that block their clients fill the bound, how long at least new clients are
   * refused before a sweep looks for room again: a sweep visits every bucket, so it must not run
   * for every new client that such a flood brings.
   */
  static final long REFUSE_NEW_CLIENTS_AT_LEAST_MILLIS = 1_000;

  /** No refusal episode: {@link #refuseNewUntil} is in the past. */
  private static final long NOT_REFUSING = Long.MIN_VALUE;

  /**
   * Buckets by their key start (one map per rule and bucket kind), then by client id: a lookup
   * hashes strings that already exist instead of building a key object per request, and a held
   * bucket costs no key object either.
   */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Bucket>> buckets =
      new ConcurrentHashMap<>();

  /** Buckets held in all maps. */
  private final AtomicInteger size = new AtomicInteger();

  private final LongSupplier clock;
  private final int maxKeys;
  private final AtomicInteger newKeysSinceSweep = new AtomicInteger();
  private final ReentrantLock sweeping = new ReentrantLock();
  private volatile boolean sweepDue;

  /**
   * Until when (epoch ms) a client without a bucket is refused once the bound is reached: set by a
   * sweep that found buckets blocking their clients filling the bound (none may be evicted), to
   * when the first of them is back to its full limit, or a little later.
   */
  private volatile long refuseNewUntil = NOT_REFUSING;

  /** Hard ceiling even while sweeps lag behind many threads: an eighth over the bound. */
  private final int ceiling;

  private final LongAdder newClientsRefused = new LongAdder();
  private volatile boolean ceilingReported;

  /** Refusals counted when the current episode began; under the sweeping lock. */
  private long refusedBeforeEpisode = -1;

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
    this.ceiling = maxKeys + Math.max(1, maxKeys / 8);
  }

  /**
   * A bucket with its lock and the flag that tells a racing caller it was dropped from the map. The
   * lock spins instead of parking: it is held for the few arithmetic steps of a check, and a
   * monitor that many request threads contend on inflates and parks them for microseconds each. Not
   * reentrant.
   */
  private static final class Bucket extends BucketState {
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

  @Override
  public Outcome[] acquire(Charge[] charges) {
    if (charges.length == 1) {
      return new Outcome[] {acquire(charges[0])};
    }
    int[] order = lockOrder(charges);
    Bucket[] held = new Bucket[charges.length];
    Outcome[] outcomes;
    int locked = 0;
    try {
      while (locked < order.length) {
        int index = order[locked];
        if (locked > 0 && compare(charges[order[locked - 1]], charges[index]) == 0) {
          held[index] = held[order[locked - 1]]; // the same bucket twice: locked once
          locked++;
          continue;
        }
        Bucket bucket = bucketFor(charges[index]);
        if (bucket == null) {
          held[index] = null; // refused: no room for a new client
          locked++;
          continue;
        }
        bucket.lock();
        if (bucket.retired) {
          bucket.unlock(); // dropped by a sweep between lookup and lock: take the fresh one
          continue;
        }
        held[index] = bucket;
        locked++;
      }
      outcomes = apply(held, charges, clock.getAsLong());
    } finally {
      for (int i = locked - 1; i >= 0; i--) {
        Bucket bucket = held[order[i]];
        if (bucket != null && (i == 0 || bucket != held[order[i - 1]])) {
          bucket.unlock();
        }
      }
    }
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
      Bucket bucket = bucketFor(charge);
      if (bucket == null) {
        return refused(now);
      }
      bucket.lock();
      try {
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
      } finally {
        bucket.unlock();
      }
    }
  }

  @Override
  public boolean reset(String keyStart, String client) {
    ConcurrentHashMap<String, Bucket> inGroup = buckets.get(keyStart);
    Bucket bucket = inGroup == null ? null : inGroup.get(client);
    if (bucket == null) {
      return false;
    }
    bucket.lock();
    try {
      if (bucket.retired) {
        return false;
      }
      retire(inGroup, client, bucket);
      return true;
    } finally {
      bucket.unlock();
    }
  }

  /** Number of buckets held now. */
  public int size() {
    return size.get();
  }

  /** Requests of clients without a bucket refused because the bound had no room for them. */
  public long newClientsRefused() {
    return newClientsRefused.sum();
  }

  /**
   * The answer to a client refused a bucket: blocked, retry once a sweep may find room. Not counted
   * anywhere, so an address that rotates gains nothing from being new.
   */
  private Outcome refused(long now) {
    long until = refuseNewUntil;
    long retryAt = until > now ? until : now + REFUSE_NEW_CLIENTS_AT_LEAST_MILLIS;
    return new Outcome(false, 0, retryAt, retryAt - now, now);
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

  /** Orders charges by their bucket's place in the maps: the order buckets are locked in. */
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
              ? refused(now)
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

  /** The charge's bucket, created if need be; null when there is no room for a new one. */
  private Bucket bucketFor(Charge charge) {
    String keyStart = charge.keyStart();
    ConcurrentHashMap<String, Bucket> inGroup = buckets.get(keyStart);
    if (inGroup == null) {
      // one map per rule and bucket kind, never dropped: as many as rule names ever loaded
      inGroup = buckets.computeIfAbsent(keyStart, k -> new ConcurrentHashMap<>());
    }
    String id = charge.client();
    Bucket bucket = inGroup.get(id);
    if (bucket != null) {
      return bucket;
    }
    if (size.get() >= maxKeys && !roomForNewClient()) {
      newClientsRefused.increment();
      return null;
    }
    Bucket created = new Bucket();
    bucket = inGroup.putIfAbsent(id, created);
    if (bucket != null) {
      return bucket;
    }
    if ((size.incrementAndGet() >= maxKeys && clock.getAsLong() >= refuseNewUntil)
        || newKeysSinceSweep.incrementAndGet() >= SWEEP_EVERY_NEW_KEYS) {
      sweepDue = true;
    }
    return created;
  }

  /**
   * Whether a client may get a bucket although the bound is reached: not while the last sweep found
   * it full of buckets that block their clients (until the first is full again), and never past the
   * ceiling; a sweep then makes room, by dropping or evicting, or starts refusing.
   */
  private boolean roomForNewClient() {
    if (clock.getAsLong() < refuseNewUntil) {
      return false;
    }
    if (size.get() >= ceiling) {
      sweepDue = true; // sweeps lag behind new clients: the next one makes room or refuses
      if (!ceilingReported) {
        ceilingReported = true;
        AgentLog.warn(
            "memory backend: new clients come faster than sweeps can make room; past an eighth"
                + " over memory.max-keys="
                + maxKeys
                + " they are refused (429) until a sweep does (reported once)");
      }
      return false;
    }
    return true;
  }

  /**
   * Drops idle buckets; at the bound, evicts live ones that do not block their clients until 10%
   * below it, and refuses new clients while those that do fill it.
   */
  private void sweep() {
    if (!sweeping.tryLock()) {
      return; // another thread is at it; the bound is enforced again on the next new key
    }
    try {
      sweepDue = false;
      newKeysSinceSweep.set(0);
      long now = clock.getAsLong();
      // a sweep the bound started, not one of those every so many new keys
      boolean atBound = size.get() >= maxKeys;
      // the first time a bucket that blocks its client is full again: room for a new client
      long firstFreed = Long.MAX_VALUE;
      int blocking = 0;
      for (ConcurrentHashMap<String, Bucket> inGroup : buckets.values()) {
        for (Map.Entry<String, Bucket> entry : inGroup.entrySet()) {
          Bucket bucket = entry.getValue();
          bucket.lock();
          try {
            if (!bucket.retired && bucket.isIdle(now)) {
              retire(inGroup, entry.getKey(), bucket);
            } else if (bucket.blocksItsClient(now)) {
              blocking++;
              firstFreed = Math.min(firstFreed, bucket.fullAtMillis());
            }
          } finally {
            bucket.unlock();
          }
        }
      }
      // down to 10% below the bound, so that a flood of new clients sweeps once per tenth
      int target = maxKeys - maxKeys / 10;
      if (size.get() >= maxKeys) {
        AgentLog.once(
            "memory backend: "
                + maxKeys
                + " clients are active at once; evicting live counters (raise memory.max-keys"
                + " or use Redis)",
            null);
        // never a bucket that blocks its client: that would let its next request through. First
        // the buckets not worth keeping (a client seen once, or one that used at most half its
        // limit: evicting it gives that much away at most, and a flood of distinct clients is
        // all such buckets), then, only if that is not enough, the same share of every rule's
        // others, so that no rule's limited clients go first, then any other
        evict(target, false, false, now);
        evict(target, true, false, now);
        evict(target, true, true, now);
      }
      if (blocking <= target) {
        stopRefusing();
      } else if (atBound) {
        // evicting the others cannot get within reach of the bound: refuse new clients while it
        // is full
        startOrGoOnRefusing(
            Math.max(firstFreed, now + REFUSE_NEW_CLIENTS_AT_LEAST_MILLIS), now, blocking);
      }
    } finally {
      sweeping.unlock();
    }
  }

  /** Under the sweeping lock. */
  private void startOrGoOnRefusing(long until, long now, int blocking) {
    refuseNewUntil = until;
    if (refusedBeforeEpisode < 0) {
      refusedBeforeEpisode = newClientsRefused.sum();
      AgentLog.warn(
          "memory backend: "
              + blocking
              + " of the "
              + maxKeys
              + " counters memory.max-keys allows block their clients now and may not be"
              + " evicted before their retry time; clients without a counter are refused (429)"
              + " until room frees up, in "
              + (until - now)
              + " ms at the earliest (raise memory.max-keys or use Redis)");
    }
  }

  /** Under the sweeping lock. */
  private void stopRefusing() {
    refuseNewUntil = NOT_REFUSING;
    if (refusedBeforeEpisode >= 0) {
      AgentLog.warn(
          "memory backend: room for new clients again; "
              + (newClientsRefused.sum() - refusedBeforeEpisode)
              + " requests of new clients were refused meanwhile");
      refusedBeforeEpisode = -1;
    }
  }

  /**
   * Evicts buckets that do not block their clients until {@code target} is left: those not worth
   * keeping, or with {@code evenWorthKeeping} the same share of every rule's, or with {@code any}
   * every one of them.
   */
  private void evict(int target, boolean evenWorthKeeping, boolean any, long now) {
    int held = size.get();
    if (held <= target) {
      return;
    }
    double share = evenWorthKeeping && !any ? (double) (held - target) / held : 1;
    for (ConcurrentHashMap<String, Bucket> inGroup : buckets.values()) {
      int evict = (int) Math.ceil(inGroup.size() * share);
      Iterator<Map.Entry<String, Bucket>> it = inGroup.entrySet().iterator();
      while (evict > 0 && size.get() > target && it.hasNext()) {
        Map.Entry<String, Bucket> entry = it.next();
        Bucket bucket = entry.getValue();
        bucket.lock();
        try {
          if (!bucket.retired
              && !bucket.blocksItsClient(now)
              && (evenWorthKeeping || !bucket.worthKeeping())) {
            retire(inGroup, entry.getKey(), bucket);
            evict--;
          }
        } finally {
          bucket.unlock();
        }
      }
    }
  }

  private void retire(ConcurrentHashMap<String, Bucket> inGroup, String id, Bucket bucket) {
    bucket.retired = true;
    if (inGroup.remove(id, bucket)) {
      size.decrementAndGet();
    }
  }

  @Override
  public String toString() {
    return "memory backend ("
        + size.get()
        + " of at most "
        + maxKeys
        + " buckets, "
        + newClientsRefused.sum()
        + " requests of new clients refused for want of room)";
  }

  // visible for tests
  String[] keys() {
    List<String> keys = new ArrayList<>();
    for (Map.Entry<String, ConcurrentHashMap<String, Bucket>> group : buckets.entrySet()) {
      for (String id : group.getValue().keySet()) {
        keys.add(group.getKey() + id + '}');
      }
    }
    String[] sorted = keys.toArray(new String[0]);
    Arrays.sort(sorted);
    return sorted;
  }
}
