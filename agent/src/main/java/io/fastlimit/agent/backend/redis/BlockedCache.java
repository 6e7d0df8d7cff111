package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Outcome;
import io.fastlimit.agent.rules.Algorithm;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Buckets Redis said are over their limit, until their retry time but never longer than {@link
 * #TRUSTED_FOR_MILLIS}: while a client floods a limited path, its requests are answered here and
 * reach Redis about once a second per bucket. Only enforced charges are kept (an observe-only
 * charge never blocks), and a request is answered here only when every one of its enforced charges
 * is known blocked, so nothing here can admit what Redis would block. It can block what Redis would
 * now admit only for that short while: when the key was deleted (an operator letting a client in, a
 * Redis restart or failover that lost it). A wait only grows as other instances consume. Bounded:
 * when full, expired entries are swept and, if the cache is still full, new blocks are not
 * remembered (those requests go to Redis as usual).
 */
final class BlockedCache {

  /**
   * How long a block Redis gave is believed without asking Redis again: a deleted key (or an
   * emptied Redis) lets the client in on every instance within this time, while a blocked client's
   * flood costs one script per bucket per instance per this time.
   */
  static final long TRUSTED_FOR_MILLIS = 1_000;

  private final ConcurrentHashMap<String, Blocked> entries = new ConcurrentHashMap<>();
  private final int maxEntries;

  /** When expired entries were last swept, by the backend's clock; {@link #NEVER} at first. */
  private final AtomicLong lastSweepNanos = new AtomicLong(NEVER);

  private static final long NEVER = Long.MIN_VALUE;

  /** What Redis answered for one bucket, and for which rate, so a reload invalidates it. */
  private static final class Blocked {
    final long limit;
    final long windowMillis;
    final long cost;
    final Algorithm algorithm;
    final long remaining;
    final long resetAtMillis;
    final long retryAfterMillis;

    /** Redis's time of that decision: with the local time elapsed since, Redis's time now. */
    final long decidedAtMillis;

    /** When the request that learned it was sent: waits count from there, which errs short. */
    final long sentNanos;

    Blocked(Charge charge, Outcome outcome, long sentNanos) {
      this.limit = charge.limit();
      this.windowMillis = charge.windowMillis();
      this.cost = charge.cost();
      this.algorithm = charge.algorithm();
      this.remaining = outcome.remaining();
      this.resetAtMillis = outcome.resetAtMillis();
      this.retryAfterMillis = outcome.retryAfterMillis();
      this.decidedAtMillis = outcome.decidedAtMillis();
      this.sentNanos = sentNanos;
    }

    boolean sameRate(Charge charge) {
      return charge.limit() == limit
          && charge.windowMillis() == windowMillis
          && charge.cost() == cost
          && charge.algorithm() == algorithm;
    }

    /** Past its retry time, or held long enough that Redis is asked again. */
    boolean expired(long nowNanos) {
      return nowNanos - sentNanos >= Math.min(retryAfterMillis, TRUSTED_FOR_MILLIS) * 1_000_000L;
    }
  }

  BlockedCache(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  /**
   * The outcomes for a request whose every enforced charge is known blocked, or null when Redis
   * must be asked. Observe-only charges of such a request are not counted (the request is blocked),
   * so they get an outcome that admits and says nothing: the full limit.
   */
  Outcome[] answer(Charge[] charges, long nowNanos, long nowMillis) {
    if (entries.isEmpty()) {
      return null; // the normal case: nobody is over a limit, no key to build or hash
    }
    Blocked[] found = null; // allocated only once a first charge is known blocked
    for (int i = 0; i < charges.length; i++) {
      Charge charge = charges[i];
      if (charge.observeOnly()) {
        continue;
      }
      Blocked blocked = entries.get(charge.key());
      if (blocked == null) {
        return null;
      }
      if (blocked.expired(nowNanos) || !blocked.sameRate(charge)) {
        entries.remove(charge.key(), blocked);
        return null;
      }
      if (found == null) {
        found = new Blocked[charges.length];
      }
      found[i] = blocked;
    }
    if (found == null) {
      return null; // observe-only charges only
    }
    // answered here, counted nowhere
    Outcome[] outcomes = new Outcome[charges.length];
    for (int i = 0; i < charges.length; i++) {
      Blocked blocked = found[i];
      if (blocked == null) {
        outcomes[i] = Outcome.uncounted(true, charges[i].limit(), nowMillis, 0, nowMillis);
      } else {
        long elapsedMillis = (nowNanos - blocked.sentNanos) / 1_000_000L;
        outcomes[i] =
            Outcome.uncounted(
                false,
                blocked.remaining,
                blocked.resetAtMillis,
                Math.max(1, blocked.retryAfterMillis - elapsedMillis),
                blocked.decidedAtMillis + elapsedMillis);
      }
    }
    return outcomes;
  }

  /**
   * Remembers the enforced charges Redis blocked in a request sent at {@code sentNanos}, and
   * forgets those it admitted (a key deleted meanwhile).
   */
  void remember(Charge[] charges, Outcome[] outcomes, long sentNanos) {
    for (int i = 0; i < charges.length; i++) {
      Outcome outcome = outcomes[i];
      if (outcome.allowed()) {
        if (!entries.isEmpty()) {
          entries.remove(charges[i].key());
        }
        continue;
      }
      if (charges[i].observeOnly() || outcome.retryAfterMillis() <= 0) {
        continue;
      }
      if (size() >= maxEntries && !sweep(sentNanos)) {
        return; // full of live blocks: this one is asked again next time
      }
      entries.put(charges[i].key(), new Blocked(charges[i], outcome, sentNanos));
    }
  }

  /** Drops expired entries, at most once a second; says whether there is room now. */
  private boolean sweep(long nowNanos) {
    long last = lastSweepNanos.get();
    if ((last != NEVER && nowNanos - last < 1_000_000_000L)
        || !lastSweepNanos.compareAndSet(last, nowNanos)) {
      return entries.size() < maxEntries;
    }
    for (Iterator<Blocked> it = entries.values().iterator(); it.hasNext(); ) {
      if (it.next().expired(nowNanos)) {
        it.remove();
      }
    }
    return entries.size() < maxEntries;
  }

  /** Forgets a bucket an operator reset: the client's next request asks Redis. */
  void forget(String key) {
    entries.remove(key);
  }

  int size() {
    return entries.size();
  }
}
