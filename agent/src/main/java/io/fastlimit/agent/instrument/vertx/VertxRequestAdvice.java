package io.fastlimit.agent.instrument.vertx;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.AwaitingCompletion;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.OffLoopDecision;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.RequestTarget;
import io.fastlimit.bootstrap.Verdict;
import io.fastlimit.bootstrap.VertxContexts;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.Executor;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of {@code emit(argument, handler)} of Vert.x's contexts, where Vert.x hands
 * a server request to the application's request handler, once per request, as soon as its headers
 * are parsed: {@code Http1xServerConnection} emits each HTTP/1.x request (a pipelined one only
 * after the response before it ended) and {@code Http2ServerRequest.dispatch} each HTTP/2 stream,
 * on the request's own context. Both pass through here whatever sits behind them (Vert.x web's
 * Router, Quarkus REST, a plain request handler; Quarkus also turns off Vert.x's WebSocket handler,
 * which would otherwise see HTTP/1.x requests first). Every other event Vert.x emits costs one type
 * check. When blocked it ends the request's own response with the 429 and skips the handler, so
 * Vert.x keeps the connection, drops the unread body and goes on with the next request; when
 * admitted it sets the headers and the handler runs. Only Vert.x's public API (the same in Vert.x
 * 4.5 and 5), JDK and bootstrap classes: it runs in the application's class loader.
 */
public final class VertxRequestAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.vertx.VertxRequestAdvice";

  private VertxRequestAdvice() {}

  /**
   * Returns true when the request was rejected, or is being decided on another thread (the decision
   * may wait for Redis: {@link OffLoopDecision} emits the request again on its event loop with the
   * verdict), which skips the application's handler for now. The request is paused meanwhile so
   * that none of its body is lost before the handler is there to read it.
   */
  @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
  public static boolean enter(
      @Advice.This Object context,
      @Advice.Origin("#m") String entryMethod,
      @Advice.Argument(0) Object argument,
      @Advice.Argument(1) Object handler) {
    if (!(argument instanceof HttpServerRequest)) {
      return false;
    }
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return false;
    }
    HttpServerRequest request = (HttpServerRequest) argument;
    boolean rejecting = false; // once the 429 is being written the handler must not run
    boolean paused = false;
    try {
      HttpServerResponse response = request.response();
      Verdict verdict;
      Object decidedAhead = OffLoopDecision.takeDecided();
      if (decidedAhead != null) {
        paused = true;
        if (response.closed()) {
          return true; // the client left while its request was decided: nothing to run
        }
        verdict = decidedAhead instanceof Verdict ? (Verdict) decidedAhead : null;
      } else {
        ActiveRules rules = bridge.rules(); // read once: a reload cannot mix two versions
        // the socket's peer (not the PROXY protocol's) and X-Forwarded-For as received
        SocketAddress remote = request.connection().remoteAddress(true);
        String peer = remote != null ? remote.hostAddress() : null;
        String header = rules.forwardedForHeader();
        String forwardedFor =
            header == null ? null : ActiveRules.joinLines(request.headers().getAll(header));
        // on a worker or virtual thread, or with the memory backend: decided in place
        Executor eventLoop =
            rules.decisionMayWait() && Context.isOnEventLoopThread()
                ? VertxContexts.eventLoop(context)
                : null;
        if (eventLoop != null) {
          request.pause();
        }
        Object decided =
            OffLoopDecision.decideOrSubmit(
                rules,
                request.method().name(),
                RequestTarget.path(request.uri()),
                peer,
                forwardedFor,
                request,
                eventLoop,
                context,
                entryMethod,
                request,
                handler);
        if (decided == OffLoopDecision.SUBMITTED) {
          return true; // never wait on the event loop: it comes back here decided
        }
        if (eventLoop != null) {
          request.resume();
        }
        verdict = (Verdict) decided;
      }
      if (verdict == null) {
        if (paused) {
          request.resume(); // delivers what arrived meanwhile after the handler has run
        }
        return false;
      }
      for (int i = 0; i < verdict.headerCount(); i++) {
        response.putHeader(verdict.headerName(i), verdict.headerValue(i));
      }
      if (!verdict.isBlocked()) {
        if (verdict.awaitsCompletion()) {
          // kept by the response: VertxResponseEndAdvice takes it as the response's end is
          // written, VertxCompletionAdvice or VertxStreamCompletionAdvice when the connection or
          // stream closes first
          AwaitingCompletion.put(response, verdict);
        }
        if (paused) {
          request.resume();
        }
        return false;
      }
      rejecting = true;
      ByteArrayOutputStream body = new ByteArrayOutputStream(verdict.bodyLength());
      verdict.writeBody(body);
      response
          .setStatusCode(verdict.status())
          .putHeader("Content-Type", verdict.contentType())
          .putHeader("Content-Length", String.valueOf(verdict.bodyLength()));
      response.end(Buffer.buffer(body.toByteArray()));
      if (paused) {
        request.resume(); // the unread body flows again and is dropped: the connection goes on
      }
      return true;
    } catch (Throwable failure) {
      bridge.failed(failure);
      if (paused && !rejecting) {
        try {
          request.resume();
        } catch (Throwable ignored) {
          // the request is gone
        }
      }
      return rejecting;
    }
  }
}
