package io.fastlimit.agent.instrument.vertx;

import io.fastlimit.bootstrap.AwaitingCompletion;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import io.vertx.core.http.HttpServerResponse;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of every {@code end} of Vert.x's HTTP/1.x and HTTP/2 server responses: the
 * application has produced its whole response, and Vert.x is about to write its last bytes. Tells
 * the bridge how a request ended whose admitted verdict awaits it ({@link VertxRequestAdvice} kept
 * it by the response), once, before the client can read the response: a client that sends its next
 * request as soon as it has this one's, on another connection or stream, finds the {@code
 * concurrent} slot free (the close of the connection or stream came after the bytes were sent, so a
 * request on another event loop could beat it). What never reaches {@code end} is reported when its
 * connection or stream closes ({@link VertxCompletionAdvice}, {@link VertxStreamCompletionAdvice}).
 */
public final class VertxResponseEndAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.vertx.VertxResponseEndAdvice";

  private VertxResponseEndAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Object response) {
    Verdict verdict = AwaitingCompletion.take(response);
    if (verdict == null) {
      return; // none awaited, already reported, or an end() calling another end()
    }
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return;
    }
    HttpServerResponse ending = (HttpServerResponse) response;
    // the status the head carries, or will carry when end() writes it; none for a client gone
    int status = ending.closed() ? 0 : ending.getStatusCode();
    bridge.completed(verdict, status, ending.headers().get("Location"), null);
  }
}
