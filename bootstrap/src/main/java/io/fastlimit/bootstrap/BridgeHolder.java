package io.fastlimit.bootstrap;

/** The one place the advice finds the active bridge; null until the agent has started. */
public final class BridgeHolder {

  private static volatile RateLimitBridge bridge;

  private BridgeHolder() {}

  public static RateLimitBridge get() {
    return bridge;
  }

  public static void set(RateLimitBridge value) {
    bridge = value;
  }
}
