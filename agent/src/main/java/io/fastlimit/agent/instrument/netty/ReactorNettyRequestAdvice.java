package io.fastlimit.agent.instrument.netty;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.OffLoopDecision;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.RequestTarget;
import io.fastlimit.bootstrap.Verdict;
import io.netty.util.AttributeKey;
import java.io.ByteArrayOutputStream;
import net.bytebuddy.asm.Advice;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.ConnectionObserver;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerState;

/**
 * Inlined at the start of Reactor Netty's {@code HttpServer.HttpServerHandle.onStateChange}, which
 * runs the application's handler (Spring WebFlux's, Spring Cloud Gateway's) once per request, on
 * the event loop, as soon as the request's headers are parsed: HTTP/1.1 (after any pipelined
 * request before it has been answered) and every HTTP/2 stream alike. When blocked it answers
 * through the request's own {@code HttpServerResponse} and skips the handler, so Reactor Netty
 * keeps the connection, discards the unread body and goes on with the next request; when admitted
 * it sets the headers and the handler runs. Only Reactor Netty, Netty, Reactor, JDK and bootstrap
 * classes: it runs in the application's class loader.
 */
public final class ReactorNettyRequestAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.netty.ReactorNettyRequestAdvice";

  private ReactorNettyRequestAdvice() {}

  /**
   * Returns true when the request was rejected, or is being decided on another thread (the decision
   * may wait for Redis: {@link OffLoopDecision} runs this method again on the event loop with the
   * verdict), which skips the application's handler for now.
   */
  @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
  public static boolean enter(
      @Advice.This Object handle,
      @Advice.Origin("#m") String entryMethod,
      @Advice.Argument(0) Connection connection,
      @Advice.Argument(1) ConnectionObserver.State state) {
    if (state != HttpServerState.REQUEST_RECEIVED
        || !(connection instanceof HttpServerRequest)
        || !(connection instanceof HttpServerResponse)) {
      return false;
    }
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return false;
    }
    boolean rejecting = false; // once the 429 is being written the handler must not run
    try {
      HttpServerRequest request = (HttpServerRequest) connection;
      HttpServerResponse response = (HttpServerResponse) connection;
      Verdict verdict;
      Object decidedAhead = OffLoopDecision.takeDecided();
      if (decidedAhead != null) {
        if (!connection.channel().isActive()) {
          return true; // the client left while its request was decided: nothing to run
        }
        verdict = decidedAhead instanceof Verdict ? (Verdict) decidedAhead : null;
      } else {
        ActiveRules rules = bridge.rules(); // read once: a reload cannot mix two versions
        // the socket's peer and X-Forwarded-For as received: never request.remoteAddress(),
        // which Reactor Netty's own forwarded-header support rewrites
        String peer = ActiveRules.peerAddress(connection.channel().remoteAddress());
        String header = rules.forwardedForHeader();
        String forwardedFor =
            header == null ? null : ActiveRules.joinLines(request.requestHeaders().getAll(header));
        Object decided =
            OffLoopDecision.decideOrSubmit(
                rules,
                request.method().name(),
                RequestTarget.path(request.uri()),
                peer,
                forwardedFor,
                request,
                connection.channel().eventLoop(),
                handle,
                entryMethod,
                connection,
                state);
        if (decided == OffLoopDecision.SUBMITTED) {
          return true; // never wait on the event loop: it comes back here decided
        }
        verdict = (Verdict) decided;
      }
      if (verdict == null) {
        return false;
      }
      for (int i = 0; i < verdict.headerCount(); i++) {
        response.header(verdict.headerName(i), verdict.headerValue(i));
      }
      if (!verdict.isBlocked()) {
        if (verdict.awaitsCompletion()) {
          // read back by ReactorNettyCompletionAdvice when this request's operations end
          AttributeKey<Object[]> pending = AttributeKey.valueOf(RateLimitBridge.PENDING_ATTRIBUTE);
          connection.channel().attr(pending).set(new Object[] {connection, verdict});
        }
        return false;
      }
      rejecting = true;
      ByteArrayOutputStream body = new ByteArrayOutputStream(verdict.bodyLength());
      verdict.writeBody(body);
      response
          .status(verdict.status())
          .header("Content-Type", verdict.contentType())
          .header("Content-Length", String.valueOf(verdict.bodyLength()));
      response
          .sendByteArray(Mono.just(body.toByteArray()))
          .then()
          .subscribe(connection.disposeSubscriber());
      return true;
    } catch (Throwable failure) {
      bridge.failed(failure);
      return rejecting;
    }
  }
}
