package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.ReceivedAddress;
import javax.servlet.http.HttpServletRequest;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of {@code setRemoteAddr} of the containers' own request classes that rewrite
 * the client address in place: Tomcat's {@code org.apache.catalina.connector.Request} (called by
 * RemoteIpValve, before it rewrites X-Forwarded-For) and Jetty's {@code
 * org.eclipse.jetty.server.Request} up to Jetty 11 (called by ForwardedRequestCustomizer; Jetty
 * leaves the header as received). The first call of a request keeps the peer and the header as the
 * container received them in {@link ReceivedAddress}'s attributes; later calls (the valve restoring
 * the address on its way out) change nothing. Written against javax.servlet; the jakarta copy is
 * made by {@link JakartaAdvice}.
 */
public final class ReceivedAddressAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.ReceivedAddressAdvice";

  private ReceivedAddressAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This HttpServletRequest request) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return;
    }
    try {
      if (request.getAttribute(ReceivedAddress.PEER_ATTRIBUTE) != null) {
        return;
      }
      String peer = request.getRemoteAddr();
      if (peer == null) {
        return;
      }
      String header = bridge.forwardedForHeader();
      if (header != null) {
        String forwardedFor = ActiveRules.joinLines(request.getHeaders(header));
        if (forwardedFor != null) {
          request.setAttribute(ReceivedAddress.FORWARDED_FOR_ATTRIBUTE, forwardedFor);
        }
      }
      request.setAttribute(ReceivedAddress.PEER_ATTRIBUTE, peer); // last: it marks the record
      ReceivedAddress.recorded();
    } catch (Throwable failure) {
      bridge.failed(failure);
    }
  }
}
