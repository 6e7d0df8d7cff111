package io.fastlimit.bootstrap;

/**
 * The client address and X-Forwarded-For as the container received them, kept where the container
 * itself rewrites them (Tomcat's RemoteIpValve, Jetty's ForwardedRequestCustomizer, Undertow's
 * ProxyPeerAddressHandler): two request attributes, which the servlet advice prefers over the
 * rewritten values.
 */
public final class ReceivedAddress {

  /** Request attribute: the connection's peer address before the container rewrote it. */
  public static final String PEER_ATTRIBUTE = "io.fastlimit.received.peer";

  /** Request attribute: X-Forwarded-For as received (lines joined by commas); absent if none. */
  public static final String FORWARDED_FOR_ATTRIBUTE = "io.fastlimit.received.forwarded-for";

  // lets the common request (nothing rewritten in this JVM, ever) skip the attribute look-up
  private static volatile boolean anyRecorded;

  private ReceivedAddress() {}

  /** Whether any request in this JVM had its address recorded before a rewrite. */
  public static boolean anyRecorded() {
    return anyRecorded;
  }

  /** Called by the advice at a rewriting point after it recorded a request's address. */
  public static void recorded() {
    if (!anyRecorded) {
      anyRecorded = true;
    }
  }
}
