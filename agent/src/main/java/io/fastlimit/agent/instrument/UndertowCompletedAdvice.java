package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of Undertow's private {@code
 * HttpServerExchange.invokeExchangeCompleteListeners()}, which Undertow calls once the request and
 * the response are both over, however the exchange ended: a synchronous servlet, one that completed
 * through its AsyncContext on another thread, a handler's own response. Tells the bridge how an
 * exchange ended whose front-door verdict awaits it ({@link UndertowFrontDoorAdvice}), with where
 * the servlet layer forwarded it ({@link UndertowForwardAdvice}: a FORM login's error page); once,
 * as the attachment is replaced.
 */
public final class UndertowCompletedAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.UndertowCompletedAdvice";

  private UndertowCompletedAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static void enter(@Advice.This HttpServerExchange exchange) {
    RateLimitBridge bridge = BridgeHolder.get();
    Object key = FrontDoor.undertowDecidedKey();
    if (bridge == null || !(key instanceof AttachmentKey)) {
      return;
    }
    try {
      AttachmentKey decided = (AttachmentKey) key;
      Object pending = exchange.getAttachment(decided);
      if (!(pending instanceof Verdict)) {
        return;
      }
      exchange.putAttachment(decided, Boolean.TRUE);
      Object forwardKey = FrontDoor.undertowForwardKey();
      Object forwardedTo =
          forwardKey instanceof AttachmentKey
              ? exchange.getAttachment((AttachmentKey) forwardKey)
              : null;
      bridge.completed(
          (Verdict) pending,
          exchange.getStatusCode(),
          exchange.getResponseHeaders().getFirst("Location"),
          forwardedTo instanceof String ? (String) forwardedTo : null);
    } catch (Throwable failure) {
      bridge.failed(failure);
    }
  }
}
