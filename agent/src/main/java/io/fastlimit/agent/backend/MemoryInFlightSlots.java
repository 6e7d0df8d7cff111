package io.fastlimit.agent.backend;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * In-flight slots in this JVM's memory, exact: per key the leases held, each with its expiry, all
 * changed under the key's map entry ({@link ConcurrentHashMap#compute}), so no two requests ever
 * take the last slot. A key with no lease left is dropped: the map holds only clients with requests
 * in flight (and, for at most a lease, those whose end was never reported).
 */
public final class MemoryInFlightSlots implements InFlightSlots {

  /** Acquisitions between two sweeps for keys left with expired leases only (a power of two). */
  static final int SWEEP_EVERY = 4096;

  private final ConcurrentHashMap<String, Leases> byKey = new ConcurrentHashMap<>();
  private final AtomicLong nextLease = new AtomicLong();
  private final LongSupplier clock;
  private final long leaseMillis;

  /** Slots by {@code clock} (epoch ms) whose leases last {@code leaseMillis}. */
  public MemoryInFlightSlots(LongSupplier clock, long leaseMillis) {
    this.clock = clock;
    this.leaseMillis = leaseMillis;
  }

  /** The leases of one key: ids and expiries side by side, {@code count} of them in use. */
  private static final class Leases {
    long[] ids;
    long[] expiries;
    int count;

    Leases(int capacity) {
      ids = new long[capacity];
      expiries = new long[capacity];
    }

    void dropExpired(long now) {
      int kept = 0;
      for (int i = 0; i < count; i++) {
        if (expiries[i] > now) {
          ids[kept] = ids[i];
          expiries[kept] = expiries[i];
          kept++;
        }
      }
      count = kept;
    }

    void add(long id, long expiry) {
      if (count == ids.length) {
        ids = java.util.Arrays.copyOf(ids, count * 2);
        expiries = java.util.Arrays.copyOf(expiries, count * 2);
      }
      ids[count] = id;
      expiries[count] = expiry;
      count++;
    }

    void remove(long id) {
      for (int i = 0; i < count; i++) {
        if (ids[i] == id) {
          count--;
          ids[i] = ids[count];
          expiries[i] = expiries[count];
          return;
        }
      }
    }
  }

  @Override
  public String tryAcquire(String key, int limit) {
    long now = clock.getAsLong();
    long id = nextLease.incrementAndGet();
    boolean[] taken = new boolean[1];
    byKey.compute(
        key,
        (k, leases) -> {
          Leases held = leases == null ? new Leases(Math.min(limit, 4)) : leases;
          held.dropExpired(now);
          if (held.count < limit) {
            held.add(id, now + leaseMillis);
            taken[0] = true;
          }
          return held.count == 0 ? null : held;
        });
    if ((id & (SWEEP_EVERY - 1)) == 0) {
      sweep(now);
    }
    return taken[0] ? Long.toString(id) : null;
  }

  @Override
  public void release(String key, String lease) {
    if (lease == null || lease.isEmpty()) {
      return;
    }
    long id = Long.parseLong(lease);
    long now = clock.getAsLong();
    byKey.computeIfPresent(
        key,
        (k, leases) -> {
          leases.remove(id);
          leases.dropExpired(now);
          return leases.count == 0 ? null : leases;
        });
  }

  /**
   * Drops every key whose leases all expired: those of requests whose end was never reported, of
   * clients that did not come back to have them dropped on their next request.
   */
  private void sweep(long now) {
    for (String key : byKey.keySet()) {
      byKey.computeIfPresent(
          key,
          (k, leases) -> {
            leases.dropExpired(now);
            return leases.count == 0 ? null : leases;
          });
    }
  }

  /** Keys held: clients with requests in flight, or with leases not yet found expired. */
  public int keys() {
    return byKey.size();
  }
}
