package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import io.undertow.server.HttpServerExchange;
import io.undertow.servlet.spec.HttpServletRequestImpl;
import io.undertow.util.AttachmentKey;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of Undertow's static {@code DispatchUtils.dispatchForward}, which every path
 * {@code RequestDispatcher.forward} calls (Undertow's own FORM authenticator forwarding to its
 * form-error page among them) once it has set the request's servlet path and path info to the
 * target's. When the exchange's front-door verdict awaits how it ends ({@link
 * UndertowFrontDoorAdvice}), keeps the target, as the servlet stage records it (servlet path plus
 * path info), in an exchange attachment for {@link UndertowCompletedAdvice}, so that {@code
 * failure.forward} recognises the forward. The first forward is kept: a forward inside a forwarded
 * request does not replace it. Names no servlet type, so one copy serves javax and jakarta.
 */
public final class UndertowForwardAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.UndertowForwardAdvice";

  private UndertowForwardAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static void exit(@Advice.Argument(1) HttpServletRequestImpl request) {
    RateLimitBridge bridge = BridgeHolder.get();
    Object decided = FrontDoor.undertowDecidedKey();
    if (bridge == null || !(decided instanceof AttachmentKey) || request == null) {
      return;
    }
    try {
      HttpServerExchange exchange = request.getExchange();
      if (!(exchange.getAttachment((AttachmentKey) decided) instanceof Verdict)) {
        return; // no front-door verdict awaits this exchange's end
      }
      Object key = FrontDoor.undertowForwardKey();
      if (!(key instanceof AttachmentKey)) {
        key = FrontDoor.undertowForwardKey(AttachmentKey.create(String.class));
      }
      AttachmentKey forwardedTo = (AttachmentKey) key;
      if (exchange.getAttachment(forwardedTo) != null) {
        return;
      }
      String servletPath = request.getServletPath();
      String pathInfo = request.getPathInfo();
      exchange.putAttachment(
          forwardedTo,
          pathInfo == null ? servletPath : servletPath == null ? pathInfo : servletPath + pathInfo);
    } catch (Throwable failure) {
      bridge.failed(failure);
    }
  }
}
