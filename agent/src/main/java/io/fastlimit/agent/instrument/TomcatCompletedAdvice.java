package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import net.bytebuddy.asm.Advice;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;

/**
 * Inlined at the start of Tomcat's {@code org.apache.catalina.connector.Request.recycle()}, which
 * Tomcat calls once a request is over, synchronous or async, its response complete and still
 * readable: tells the bridge how a request ended whose front-door verdict awaits it ({@link
 * TomcatFrontDoorAdvice}), and writes the access log line of a request refused there, which
 * Tomcat's adapter does not log (it logs only requests its pipeline ran), once the 429 is sent and
 * its size known. The recycling itself then clears the attribute, so it is told once (not removed
 * here: Tomcat's removeAttribute needs the request's context, which a request mapped to none
 * lacks).
 */
public final class TomcatCompletedAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.TomcatCompletedAdvice";

  private TomcatCompletedAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.This Request request) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return;
    }
    try {
      Object pending = request.getAttribute(FrontDoor.PENDING_ATTRIBUTE);
      if (!(pending instanceof Verdict)) {
        return;
      }
      Response response = request.getResponse();
      if (((Verdict) pending).isBlocked()) {
        // refused at the front door: Tomcat logs only what it passed to its pipeline, so log it as
        // Tomcat logs its own early refusals (no time: its unit differs between versions)
        Context context = request.getContext();
        Connector connector = request.getConnector();
        if (context != null) {
          context.logAccess(request, response, 0, false);
        } else if (connector != null && connector.getService() != null) {
          connector.getService().getContainer().logAccess(request, response, 0, true);
        }
        return;
      }
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
