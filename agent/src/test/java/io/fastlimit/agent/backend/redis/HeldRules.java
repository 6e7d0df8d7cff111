package io.fastlimit.agent.backend.redis;

import io.fastlimit.bootstrap.OffLoopDecision;
import java.util.concurrent.CountDownLatch;

/**
 * Rules whose decision waits until the test releases it, keeping the decision workers busy; a
 * decision that must not wait returns at once. No rule applies.
 */
final class HeldRules extends DecidingRules {
  private final CountDownLatch release;
  private final CountDownLatch ran;

  HeldRules(CountDownLatch release) {
    this(release, new CountDownLatch(0));
  }

  /** Counts {@code ran} down as a worker decides, before waiting for {@code release}. */
  HeldRules(CountDownLatch release, CountDownLatch ran) {
    this.release = release;
    this.ran = ran;
  }

  @Override
  void decide() {
    if (OffLoopDecision.mustNotWait()) {
      return;
    }
    ran.countDown();
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
