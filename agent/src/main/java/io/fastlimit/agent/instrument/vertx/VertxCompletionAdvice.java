package io.fastlimit.agent.instrument.vertx;

import io.fastlimit.bootstrap.AwaitingCompletion;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of the places where a Vert.x HTTP/1.x request ends: {@code
 * Http1xServerConnection.responseComplete()} (its response was written to the end) and {@code
 * handleClosed()} (the connection closed first: the client left, or an error closed it). Either
 * reads the connection's response in progress, which is the request that ends; a pipelined request
 * behind it has not begun. Tells the bridge how a request ended whose admitted verdict awaits it
 * ({@link VertxRequestAdvice} kept it) when {@link VertxResponseEndAdvice} has not already: the
 * fallback for a response that never called {@code end} (the connection dropped first, or a {@code
 * sendFile}), once.
 */
public final class VertxCompletionAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.vertx.VertxCompletionAdvice";

  private VertxCompletionAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.FieldValue("responseInProgress") Object request) {
    if (!(request instanceof HttpServerRequest)) {
      return;
    }
    HttpServerResponse response = ((HttpServerRequest) request).response();
    Verdict verdict = AwaitingCompletion.take(response);
    if (verdict == null) {
      return; // none awaited, or the response's end took it (VertxResponseEndAdvice)
    }
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return;
    }
    int status = response.headWritten() && response.ended() ? response.getStatusCode() : 0;
    bridge.completed(verdict, status, response.headers().get("Location"), null);
  }
}
