package io.fastlimit.bootstrap;

/**
 * What Tomcat's front door does with a request, behind {@link TomcatCallout}: the agent implements
 * it once against Tomcat's connector classes, alike in Tomcat 9, 10.1 and 11, and defines it beside
 * the Tomcat it is for. Never throws.
 */
public abstract class TomcatEntry {

  private static volatile ClassValue<TomcatEntry> perTomcat;

  /**
   * The entry code for the Tomcat whose {@code org.apache.catalina.connector.Request} is {@code
   * requestType}, or null while the agent has none (the request is then let through).
   */
  public static TomcatEntry of(Class<?> requestType) {
    ClassValue<TomcatEntry> entries = perTomcat;
    return entries == null ? null : entries.get(requestType);
  }

  /** Set once by the agent. */
  public static void install(ClassValue<TomcatEntry> entries) {
    perTomcat = entries;
  }

  /**
   * At the end of {@code CoyoteAdapter.postParseRequest} that returned true: decides the rules of
   * {@link Stage#CONTAINER}, writes headers and, when blocked, the rejection. Returns false when
   * the request must not reach Tomcat's pipeline.
   */
  public abstract boolean frontDoor(RateLimitBridge bridge, Object request, Object response);

  /**
   * At the start of {@code Request.recycle()}: reports how a request ended whose front-door verdict
   * awaits it, and writes the access log line of a request refused at the front door.
   */
  public abstract void recycled(RateLimitBridge bridge, Object request);
}
