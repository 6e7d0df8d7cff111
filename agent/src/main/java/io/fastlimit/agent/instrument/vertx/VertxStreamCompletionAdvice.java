package io.fastlimit.agent.instrument.vertx;

import io.fastlimit.bootstrap.AwaitingCompletion;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of {@code Http2ServerRequest.handleClose()}, which Vert.x calls once when
 * the request's HTTP/2 stream closes: both sides ended, the stream was reset, or the connection
 * went away. Tells the bridge how a request ended whose admitted verdict awaits it ({@link
 * VertxRequestAdvice} kept it) when {@link VertxResponseEndAdvice} has not already: the fallback
 * for a stream reset or dropped before its response's {@code end}, once.
 */
public final class VertxStreamCompletionAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME =
      "io.fastlimit.agent.instrument.vertx.VertxStreamCompletionAdvice";

  private VertxStreamCompletionAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object request) {
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
