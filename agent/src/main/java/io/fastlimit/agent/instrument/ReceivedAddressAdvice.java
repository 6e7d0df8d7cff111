package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ReceivedAddress;
import io.fastlimit.bootstrap.ServletCallout;
import javax.servlet.http.HttpServletRequest;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of {@code setRemoteAddr} of the containers' own request classes that rewrite
 * the client address in place: Tomcat's {@code org.apache.catalina.connector.Request} (called by
 * RemoteIpValve, before it rewrites X-Forwarded-For) and Jetty's {@code
 * org.eclipse.jetty.server.Request} up to Jetty 11 (called by ForwardedRequestCustomizer; Jetty
 * leaves the header as received). A shell over {@link ServletCallout#receivedAddress}: the first
 * call of a request keeps the peer and the header as the container received them in {@link
 * ReceivedAddress}'s attributes ({@link ServletHelper}); later calls (the valve restoring the
 * address on its way out) change nothing. Written against javax.servlet; the jakarta copy is made
 * by {@link JakartaAdvice}.
 */
public final class ReceivedAddressAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.ReceivedAddressAdvice";

  private ReceivedAddressAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object request) {
    ServletCallout.receivedAddress(request, HttpServletRequest.class);
  }
}
