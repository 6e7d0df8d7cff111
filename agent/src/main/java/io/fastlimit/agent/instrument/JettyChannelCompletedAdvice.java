package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Inlined at the start of {@code HttpChannel.onCompleted()} of Jetty 9.4, 10 and 11, which Jetty
 * calls once a request is over, synchronous or async, its response complete and its attributes
 * still there (the request log runs here too): tells the bridge how a request ended whose
 * front-door verdict awaits it ({@link JettyChannelFrontDoorAdvice}), once, as the attribute is
 * removed. Written against javax.servlet; the jakarta copy is made by {@link JakartaAdvice}.
 */
public final class JettyChannelCompletedAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.JettyChannelCompletedAdvice";

  private JettyChannelCompletedAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(
      @Advice.FieldValue(value = "_request", typing = Assigner.Typing.DYNAMIC)
          HttpServletRequest request,
      @Advice.FieldValue(value = "_response", typing = Assigner.Typing.DYNAMIC)
          HttpServletResponse response) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null || request == null) {
      return;
    }
    try {
      Object pending = request.getAttribute(FrontDoor.PENDING_ATTRIBUTE);
      if (!(pending instanceof Verdict)) {
        return;
      }
      request.removeAttribute(FrontDoor.PENDING_ATTRIBUTE);
      bridge.completed(
          (Verdict) pending,
          response == null ? 0 : response.getStatus(),
          response == null ? null : response.getHeader("Location"),
          ActiveRules.text(request.getAttribute(RateLimitBridge.FORWARDED_TO_ATTRIBUTE)));
    } catch (Throwable failure) {
      bridge.failed(failure);
    }
  }
}
