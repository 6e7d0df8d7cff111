package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.ReceivedAddress;
import java.util.List;
import net.bytebuddy.asm.Advice;
import org.eclipse.jetty.server.Request;

/**
 * Inlined at the start of Jetty 12's {@code ForwardedRequestCustomizer.customize(Request,
 * HttpFields.Mutable)}, which wraps the core request in one whose address is the leftmost
 * X-Forwarded-For entry: keeps the connection's peer and the header as Jetty received them in
 * {@link ReceivedAddress}'s attributes of the core request, which the servlet request reads through
 * (checked on ee10). Names Jetty's core types only, no servlet type, so it needs no jakarta copy.
 */
public final class Jetty12ReceivedAddressAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.Jetty12ReceivedAddressAdvice";

  private Jetty12ReceivedAddressAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.Argument(0) Request request) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null || request == null) {
      return;
    }
    try {
      if (request.getAttribute(ReceivedAddress.PEER_ATTRIBUTE) != null) {
        return;
      }
      String peer = Request.getRemoteAddr(request);
      if (peer == null) {
        return;
      }
      String header = bridge.forwardedForHeader();
      if (header != null) {
        List<String> values = request.getHeaders().getValuesList(header);
        String forwardedFor = ActiveRules.joinLines(values);
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
