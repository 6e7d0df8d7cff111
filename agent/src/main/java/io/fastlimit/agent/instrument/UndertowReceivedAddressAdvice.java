package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.ReceivedAddress;
import io.undertow.server.HttpServerExchange;
import io.undertow.servlet.spec.HttpServletRequestImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of the constructor of Undertow's servlet request ({@code
 * HttpServletRequestImpl}). Undertow's ProxyPeerAddressHandler (proxy-address-forwarding) sets the
 * exchange's source address, which the servlet sees, to the leftmost X-Forwarded-For entry; the
 * connection's peer stays as received. When the two differ, keeps the peer and the header (which
 * Undertow leaves as sent) in {@link ReceivedAddress}'s attributes. Names no servlet type, so one
 * copy serves javax (Undertow 2.2) and jakarta (2.3).
 */
public final class UndertowReceivedAddressAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.UndertowReceivedAddressAdvice";

  private UndertowReceivedAddressAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.This HttpServletRequestImpl request) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return;
    }
    try {
      HttpServerExchange exchange = request.getExchange();
      SocketAddress connectionPeer = exchange.getConnection().getPeerAddress();
      if (!(connectionPeer instanceof InetSocketAddress)
          || connectionPeer.equals(exchange.getSourceAddress())) {
        return; // not rewritten: the servlet's own address is what Undertow received
      }
      InetSocketAddress socket = (InetSocketAddress) connectionPeer;
      InetAddress address = socket.getAddress();
      String peer = address == null ? socket.getHostString() : address.getHostAddress();
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
