package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.bytebuddy.asm.Advice;

/**
 * Undertow's front door: inlined at the start of {@code Connectors.executeRootHandler(HttpHandler,
 * HttpServerExchange)}, which runs the server's root handler, before any handler of the chain
 * (ProxyPeerAddressHandler, the servlet deployment's security handlers for FORM {@code
 * j_security_check}, BASIC and DIGEST, filters). It runs again when a handler dispatches the
 * exchange to another thread: an attachment marks the exchange decided, so that is not counted
 * twice. Decides the rules of {@link Stage#CONTAINER} on the request path (decoded, as Undertow
 * routes on it; the rules resolve its dot segments) and the connection's peer and X-Forwarded-For
 * as received. A blocked exchange gets the 429 here and the root handler never runs. A verdict
 * awaiting completion stays in the attachment until the exchange completes ({@link
 * UndertowCompletedAdvice}), synchronous or asynchronous. No servlet type: one copy serves Undertow
 * 2.2 (javax) and 2.3 (jakarta).
 *
 * <p>A rule here that reads its account from a form ({@code account-from: form:NAME}) needs the
 * body, which may not have arrived when the I/O thread runs the root handler, and that thread must
 * never wait. Such a request (urlencoded, small, matching such a rule) is dispatched to a worker
 * thread before any handler runs, with the same root handler: the exchange comes in again there, is
 * decided, and {@code UndertowFormBody} reads the body and hands it back to Undertow.
 */
public final class UndertowFrontDoorAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.UndertowFrontDoorAdvice";

  private UndertowFrontDoorAdvice() {}

  /**
   * Returns true when the exchange was rejected, or handed to a worker thread to be decided there,
   * which skips the root handler here.
   */
  @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static boolean enter(
      @Advice.Argument(0) HttpHandler handler, @Advice.Argument(1) HttpServerExchange exchange) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null || exchange == null) {
      return false;
    }
    boolean rejecting = false;
    try {
      ActiveRules rules = bridge.rules();
      if (!rules.anyAtContainer()) {
        return false;
      }
      Object key = FrontDoor.undertowDecidedKey();
      if (!(key instanceof AttachmentKey)) {
        // the first requests, maybe several at once: each offers a key, all use the one kept
        AttachmentKey<Object> made = AttachmentKey.create(Object.class);
        key = FrontDoor.undertowDecidedKey(made);
        if (!(key instanceof AttachmentKey)) {
          key = made; // kept by another Undertow's classes: this request still marks its own
        }
      }
      AttachmentKey decided = (AttachmentKey) key;
      if (exchange.getAttachment(decided) != null) {
        return false; // dispatched on: decided when it came in
      }
      if (rules.anyFormAtContainer()
          && exchange.isInIoThread()
          && rules.readsFormBody(
              Stage.CONTAINER,
              exchange.getRequestMethod().toString(),
              exchange.getRequestPath(),
              exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE),
              exchange.getRequestContentLength())) {
        // the account is in the body, which only a worker thread may wait for: the root handler
        // runs there instead (as a servlet deployment's would anyway), decided when it comes in
        try {
          exchange.dispatch(handler); // not in a call yet: handed to the worker at once
          return true;
        } catch (RuntimeException rejected) {
          bridge.failed(rejected); // decided here then, without the account
        }
      }
      exchange.putAttachment(decided, Boolean.TRUE); // or the verdict awaiting completion, below
      String header = rules.forwardedForHeader();
      String forwardedFor = null;
      if (header != null) {
        HeaderValues values = exchange.getRequestHeaders().get(header);
        forwardedFor = ActiveRules.joinLines(values);
      }
      String peer = null;
      SocketAddress connectionPeer = exchange.getConnection().getPeerAddress();
      if (connectionPeer instanceof InetSocketAddress) {
        InetSocketAddress socket = (InetSocketAddress) connectionPeer;
        InetAddress address = socket.getAddress();
        peer = address == null ? socket.getHostString() : address.getHostAddress();
      }
      Verdict verdict =
          rules.decide(
              Stage.CONTAINER,
              exchange.getRequestMethod().toString(),
              "",
              exchange.getRequestPath(),
              null,
              peer,
              forwardedFor,
              null,
              exchange);
      if (verdict == null) {
        return false;
      }
      HeaderMap headers = exchange.getResponseHeaders();
      for (int i = 0; i < verdict.headerCount(); i++) {
        headers.put(new HttpString(verdict.headerName(i)), verdict.headerValue(i));
      }
      if (!verdict.isBlocked()) {
        if (verdict.awaitsCompletion()) {
          exchange.putAttachment(decided, verdict); // see UndertowCompletedAdvice
        }
        return false;
      }
      rejecting = true;
      exchange.setStatusCode(verdict.status());
      headers.put(new HttpString("Content-Type"), verdict.contentType());
      exchange
          .getResponseSender()
          .send(ByteBuffer.wrap(verdict.bodyText().getBytes(StandardCharsets.UTF_8)));
      return true;
    } catch (Throwable failure) {
      bridge.failed(failure);
      if (rejecting) {
        exchange.endExchange(); // the handlers must not run
      }
      return rejecting;
    }
  }
}
