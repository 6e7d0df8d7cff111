package io.fastlimit.agent.backend;

import io.fastlimit.agent.observe.AgentLog;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Keeps the memory backend within {@code memory.max-keys} buckets: counts them, says whether a new
 * client may have one, and sweeps. A sweep drops buckets back to their full limit (that changes no
 * answer) and, at the bound, evicts live ones: first those of clients seen once or that used at
 * most half their limit, so that a flood of one-off clients cannot wipe the counter of a client
 * that keeps coming back and is being limited. A bucket that refuses its client's next request is
 * never evicted before its full limit is back; when such buckets fill the bound, new clients are
 * refused (not counted, not admitted) until room frees up.
 */
final class MemoryBound {

  private static final int SWEEP_EVERY_NEW_KEYS = 1 << 16;

  /**
   * While buckets that block their clients fill the bound, how long at least new clients are
   * refused before a sweep looks for room again: a sweep visits every bucket, so it must not run
   * for every new client that such a flood brings.
   */
  private static final long REFUSE_NEW_CLIENTS_AT_LEAST_MILLIS = 1_000;

  /** No refusal episode: {@link #refuseNewUntil} is in the past. */
  private static final long NOT_REFUSING = Long.MIN_VALUE;

  private final int maxKeys;

  /** Hard ceiling even while sweeps lag behind many threads: an eighth over the bound. */
  private final int ceiling;

  /** Buckets held. */
  private final AtomicInteger size = new AtomicInteger();

  private final AtomicInteger newKeysSinceSweep = new AtomicInteger();
  private final ReentrantLock sweeping = new ReentrantLock();
  private volatile boolean sweepDue;

  /**
   * Until when (epoch ms) a client without a bucket is refused once the bound is reached: set by a
   * sweep that found buckets blocking their clients filling the bound (none may be evicted), to
   * when the first of them is back to its full limit, or a little later.
   */
  private volatile long refuseNewUntil = NOT_REFUSING;

  /**
   * The clock of the latest sweep, written before it drops anything: a request that read the clock
   * earlier and reaches a bucket afterwards decides at this time instead, so that it never counts
   * in a window whose counts the sweep dropped as over.
   */
  private volatile long sweptAt = Long.MIN_VALUE;

  /** {@code now}, or the latest sweep's time when that is later. After the bucket is found. */
  long notBeforeSweep(long now) {
    long swept = sweptAt;
    return now < swept ? swept : now;
  }

  private final LongAdder newClientsRefused = new LongAdder();
  private volatile boolean ceilingReported;

  /** Refusals counted when the current episode began; under the sweeping lock. */
  private long refusedBeforeEpisode = -1;

  MemoryBound(int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1");
    }
    this.maxKeys = maxKeys;
    this.ceiling = maxKeys + Math.max(1, maxKeys / 8);
  }

  int size() {
    return size.get();
  }

  long newClientsRefused() {
    return newClientsRefused.sum();
  }

  /**
   * Whether a client without a bucket may have one now, and if so counts it as held; a refusal is
   * counted. Not while the last sweep found the bound full of buckets that block their clients
   * (until the first is full again), and never past the ceiling, even with many threads adding at
   * once: the check and the count are one compare-and-set. A sweep then makes room, by dropping or
   * evicting, or starts refusing. A sweep becomes due at the bound or every so many new buckets.
   */
  boolean tryAdd(long now) {
    int held;
    do {
      held = size.get();
      if (held >= maxKeys && !roomPastTheBound(held, now)) {
        newClientsRefused.increment();
        return false;
      }
    } while (!size.compareAndSet(held, held + 1));
    if ((held + 1 >= maxKeys && now >= refuseNewUntil)
        || newKeysSinceSweep.incrementAndGet() >= SWEEP_EVERY_NEW_KEYS) {
      sweepDue = true;
    }
    return true;
  }

  /** At or past the bound: whether one more bucket may be held, {@code held} being held now. */
  private boolean roomPastTheBound(int held, long now) {
    if (now < refuseNewUntil) {
      return false;
    }
    if (held >= ceiling) {
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
   * The answer to a client refused a bucket: blocked, retry once a sweep may find room. Not counted
   * anywhere, so an address that rotates gains nothing from being new.
   */
  Outcome refused(long now) {
    long until = refuseNewUntil;
    long retryAt = until > now ? until : now + REFUSE_NEW_CLIENTS_AT_LEAST_MILLIS;
    return new Outcome(false, 0, retryAt, retryAt - now, now);
  }

  /**
   * Sweeps {@code store} when one is due. Only from a thread that holds no bucket: a sweep locks
   * every bucket in turn, and a new bucket must be charged before a sweep can see it (unused, it
   * looks idle).
   */
  void sweepIfDue(BucketStore store, LongSupplier clock) {
    if (sweepDue && sweeping.tryLock()) { // else another thread is at it
      try {
        sweepDue = false;
        newKeysSinceSweep.set(0);
        sweep(store, clock.getAsLong());
      } finally {
        sweeping.unlock();
      }
    }
  }

  /**
   * Drops idle buckets; at the bound, evicts live ones that do not block their clients until 10%
   * below it, and refuses new clients while those that do fill it. Under the sweeping lock.
   */
  private void sweep(BucketStore store, long now) {
    // a sweep the bound started, not one of those every so many new keys
    boolean atBound = size.get() >= maxKeys;
    if (now > sweptAt) {
      sweptAt = now;
    }
    Idle idle = new Idle(now);
    store.sweep(idle);
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
      evict(store, target, false, false, now);
      evict(store, target, true, false, now);
      evict(store, target, true, true, now);
    }
    if (idle.blocking <= target) {
      stopRefusing();
    } else if (atBound) {
      // evicting the others cannot get within reach of the bound: refuse new clients while it
      // is full
      startOrGoOnRefusing(
          Math.max(idle.firstFreed, now + REFUSE_NEW_CLIENTS_AT_LEAST_MILLIS), now, idle.blocking);
    }
  }

  /** Drops the buckets back to their full limit; counts those that block their clients. */
  private final class Idle implements BucketVisitor {
    private final long now;
    int blocking;

    /** The first time a bucket that blocks its client is full again: room for a new client. */
    long firstFreed = Long.MAX_VALUE;

    Idle(long now) {
      this.now = now;
    }

    @Override
    public void group(int groupSize) {}

    @Override
    public boolean done() {
      return false;
    }

    @Override
    public boolean drops(BucketState bucket) {
      if (bucket.isIdle(now)) {
        size.decrementAndGet();
        return true;
      }
      if (bucket.blocksItsClient(now)) {
        blocking++;
        firstFreed = Math.min(firstFreed, bucket.fullAtMillis());
      }
      return false;
    }
  }

  /**
   * Evicts buckets that do not block their clients until {@code target} is left: those not worth
   * keeping, or with {@code evenWorthKeeping} the same share of every rule's, or with {@code any}
   * every one of them.
   */
  private void evict(
      BucketStore store, int target, boolean evenWorthKeeping, boolean any, long now) {
    int held = size.get();
    if (held <= target) {
      return;
    }
    double share = evenWorthKeeping && !any ? (double) (held - target) / held : 1;
    store.sweep(
        new BucketVisitor() {
          private int inGroup;

          @Override
          public void group(int groupSize) {
            inGroup = (int) Math.ceil(groupSize * share);
          }

          @Override
          public boolean done() {
            return inGroup <= 0 || size.get() <= target;
          }

          @Override
          public boolean drops(BucketState bucket) {
            if (bucket.blocksItsClient(now) || !(evenWorthKeeping || !bucket.worthKeeping())) {
              return false;
            }
            size.decrementAndGet();
            inGroup--;
            return true;
          }
        });
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

  @Override
  public String toString() {
    return size.get()
        + " of at most "
        + maxKeys
        + " buckets, "
        + newClientsRefused.sum()
        + " requests of new clients refused for want of room";
  }
}
