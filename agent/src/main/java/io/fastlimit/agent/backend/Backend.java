package io.fastlimit.agent.backend;

/**
 * Where counters live. All charges of one request are answered in one atomic step: the request is
 * admitted only if every enforced charge admits, and a blocked request consumes from none of them.
 * An observe-only (dry-run) charge never blocks; when the request is admitted it is counted only if
 * it would itself have admitted, so its counts mirror what enforcing it would do.
 */
public interface Backend extends AutoCloseable {

  /** Returns one outcome per charge, in the same order. */
  Outcome[] acquire(Charge[] charges);

  /**
   * One charge, the common case of a request that one rule covers: the same contract as {@link
   * #acquire(Charge[])}. Backends override it to skip the arrays.
   */
  default Outcome acquire(Charge charge) {
    return acquire(new Charge[] {charge})[0];
  }

  /**
   * Gives back charges that {@link #acquire} admitted and counted ({@link Outcome#counted()}: the
   * caller never hands over one the backend answered without counting), each at the time its
   * outcome was decided ({@link Outcome#decidedAtMillis()}, by this backend's clock): for {@code
   * count: failures}, whose admitted requests keep their charge only when they fail. Atomic per
   * bucket against concurrent charges; a bucket whose window has moved on, that was dropped, or
   * that its rule's algorithm no longer matches is left as it is (the charge already left it, or
   * giving back would give more than was taken). The default gives nothing back: a backend without
   * it counts every attempt, the safe side.
   */
  default void giveBack(Charge[] charges, long[] chargedAtMillis) {}

  /**
   * As {@link #giveBack}, for charges {@link #acquire} counted in its fallback ({@link
   * Outcome#countedInFallback()}: Redis's {@code on-error: local} counts in this instance's memory
   * while Redis fails), given back there. The default gives nothing back.
   */
  default void giveBackToFallback(Charge[] charges, long[] chargedAtMillis) {}

  /**
   * Forgets one client's bucket, {@code keyStart + client + '}'} (see {@link Charge#key()}), so its
   * next request starts afresh: what an operator does to unblock a client. Shared backends forget
   * it for every instance, caches of blocked clients included. Returns whether a counter was held.
   *
   * @throws UnsupportedOperationException when this backend cannot forget a bucket
   * @throws IllegalStateException when the backend cannot be reached now
   */
  default boolean reset(String keyStart, String client) {
    throw new UnsupportedOperationException(getClass().getName() + " cannot reset counters");
  }

  /**
   * As {@link #reset(String, String)}, for a bucket whose rate has windows of {@code windowMillis}:
   * a backend that keeps a key per window finds this bucket's by it.
   */
  default boolean reset(String keyStart, String client, long windowMillis) {
    return reset(keyStart, client);
  }

  @Override
  default void close() {}
}
