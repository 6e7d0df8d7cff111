package io.fastlimit.agent.instrument.vertx;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.AwaitingCompletion;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.OffLoopDecision;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.RequestTarget;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import io.fastlimit.bootstrap.VertxContexts;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.Executor;
import net.bytebuddy.asm.Advice;

/**
 * Inlined where Vert.x hands a server request to the application's request handler, once per
 * request, as soon as its headers are parsed: {@code Http1xServerRequestHandler.handle(request)}
 * for HTTP/1.x (inside the request context's dispatch; a pipelined request only after the response
 * before it ended) and {@code Http2ServerRequest.dispatch(handler)} for each HTTP/2 stream. Vert.x
 * web's Router, Quarkus REST and any plain request handler sit behind these. When blocked it ends
 * the request's own response with the 429 and skips the handler, so Vert.x keeps the connection,
 * drops the unread body and goes on with the next request; when admitted it sets the headers and
 * the handler runs. Only Vert.x's public API (the same in Vert.x 4.5 and 5), JDK and bootstrap
 * classes: it runs in the application's class loader.
 */
public final class VertxRequestAdvice {

  private VertxRequestAdvice() {}

  /**
   * Returns true when the request was rejected, or is being decided on another thread (the decision
   * may wait for Redis: {@link OffLoopDecision} enters again on the request's event loop with the
   * verdict, through the context's {@code emit} for HTTP/1.x, through {@code dispatch} for HTTP/2),
   * which skips the application's handler for now. The request is paused meanwhile so that none of
   * its body is lost before the handler is there to read it.
   */
  @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
  public static boolean enter(
      @Advice.This Object self,
      @Advice.Origin("#m") String entryMethod,
      @Advice.Argument(0) Object argument) {
    // HTTP/2: the request itself dispatches; HTTP/1.x: the connection's handler gets the request
    boolean stream = self instanceof HttpServerRequest;
    Object candidate = stream ? self : argument;
    if (!(candidate instanceof HttpServerRequest)) {
      return false;
    }
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return false;
    }
    HttpServerRequest request = (HttpServerRequest) candidate;
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
        String forwardedFor = null;
        if (header != null) {
          List<String> lines = request.headers().getAll(header);
          forwardedFor = lines.isEmpty() ? null : String.join(",", lines);
        }
        String method = request.method().name();
        String path = RequestTarget.path(request.uri());
        if (rules.decisionMayWait() && Context.isOnEventLoopThread()) {
          Object context = VertxContexts.context(request);
          Executor eventLoop = VertxContexts.eventLoop(context);
          if (eventLoop != null) {
            request.pause();
            if (OffLoopDecision.submit(
                rules,
                method,
                path,
                peer,
                forwardedFor,
                request,
                eventLoop,
                stream ? self : context,
                stream ? entryMethod : "emit",
                stream ? new Object[] {argument} : new Object[] {request, self})) {
              return true; // never wait on the event loop: it comes back here decided
            }
            request.resume();
          }
        }
        // on a worker or virtual thread, or with the memory backend: decided in place
        verdict =
            rules.decide(
                Stage.SERVLET_ALONE, method, null, path, null, peer, forwardedFor, null, request);
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
          // taken by VertxCompletionAdvice when this request's response ends or its connection
          // or stream closes
          AwaitingCompletion.put(request, verdict);
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
