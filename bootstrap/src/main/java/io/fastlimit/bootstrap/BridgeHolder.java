package io.fastlimit.bootstrap;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The one place the advice finds the active bridge; null until the agent has started. While an
 * agent started from {@code -javaagent} still loads its rules on its own thread, {@link #get} waits
 * for them (bounded), so no request runs unlimited only for having come early.
 */
public final class BridgeHolder {

  /** How long a request waits for the first rules; far longer than loading them takes. */
  static final long WAIT_MILLIS = 30_000;

  private static volatile RateLimitBridge bridge;

  /** Not null while the first rules are being loaded. */
  private static volatile CountDownLatch loading;

  private BridgeHolder() {}

  public static RateLimitBridge get() {
    RateLimitBridge current = bridge;
    return current != null ? current : awaitFirstRules();
  }

  public static void set(RateLimitBridge value) {
    bridge = value;
  }

  /** The first rules are being loaded: requests wait for them from now on. */
  public static void loading() {
    loading = new CountDownLatch(1);
  }

  /** The first load is over (whether or not it set a bridge): nothing waits any more. */
  public static void loaded() {
    CountDownLatch latch = loading;
    loading = null;
    if (latch != null) {
      latch.countDown();
    }
  }

  private static RateLimitBridge awaitFirstRules() {
    CountDownLatch latch = loading;
    if (latch != null) {
      try {
        latch.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the request goes on as it would unlimited
      }
    }
    return bridge;
  }
}
