package io.fastlimit.agent.limit;

import io.fastlimit.agent.backend.Charge;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pending state of an admitted request under {@code count: failures}: the charges it made on
 * such rules and when each was decided, to give back when the request ends in success. Handed to
 * the entry point inside the verdict ({@code Verdict.allowedPending}) and back to {@link
 * RateLimiter#completed}; settled at most once, however often an entry point reports the end.
 */
final class FailureCharges {

  final Charge[] charges;
  final long[] chargedAtMillis;
  private final AtomicBoolean settled = new AtomicBoolean();

  FailureCharges(Charge[] charges, long[] chargedAtMillis) {
    this.charges = charges;
    this.chargedAtMillis = chargedAtMillis;
  }

  /** True the first time only. */
  boolean settle() {
    return settled.compareAndSet(false, true);
  }
}
