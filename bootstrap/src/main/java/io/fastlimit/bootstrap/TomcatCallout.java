package io.fastlimit.bootstrap;

/**
 * What Tomcat's front door calls, with JDK types only, whichever way it was instrumented (the
 * launch weave or Byte Buddy advice): {@code CoyoteAdapter.postParseRequest} on its way out and
 * {@code Request.recycle()} on its way in. {@code requestType} is Tomcat's {@code
 * org.apache.catalina.connector.Request} as the instrumented class links against it. Nothing here
 * throws.
 */
public final class TomcatCallout {

  private TomcatCallout() {}

  /**
   * What {@code postParseRequest} returns: {@code toPipeline} as Tomcat decided it, false when the
   * agent rejected the request (the 429 is written).
   */
  public static boolean postParseRequest(
      boolean toPipeline, Object request, Object response, Class<?> requestType) {
    if (!toPipeline) {
      return false; // Tomcat answered it itself (a redirect, a 400)
    }
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return true;
    }
    try {
      TomcatEntry entry = TomcatEntry.of(requestType);
      return entry == null || entry.frontDoor(bridge, request, response);
    } catch (Throwable failure) {
      bridge.failed(failure);
      return true;
    }
  }

  /** At the start of {@code Request.recycle()}. */
  public static void recycle(Object request, Class<?> requestType) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return;
    }
    try {
      TomcatEntry entry = TomcatEntry.of(requestType);
      if (entry != null) {
        entry.recycled(bridge, request);
      }
    } catch (Throwable failure) {
      bridge.failed(failure);
    }
  }
}
