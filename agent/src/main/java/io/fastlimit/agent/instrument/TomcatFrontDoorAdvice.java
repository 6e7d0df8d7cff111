package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.io.PrintWriter;
import net.bytebuddy.asm.Advice;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;

/**
 * Tomcat's front door: inlined at the end of {@code CoyoteAdapter.postParseRequest}, which has
 * decoded, normalized and mapped the request and, when it returns true, hands it to the engine's
 * pipeline: every valve (RemoteIpValve, authenticators for FORM {@code j_security_check}, BASIC and
 * DIGEST), filter and servlet. Decides the rules of {@link Stage#CONTAINER} on the path Tomcat
 * routes on (its decoded, normalized URI, path parameters removed) and the peer and X-Forwarded-For
 * as received; a blocked request gets the 429 here and the method's result becomes false, so the
 * pipeline never runs. Uses only methods of Tomcat's connector classes whose signatures are the
 * same in Tomcat 9 (javax), 10.1 and 11 (jakarta): one copy serves all.
 */
public final class TomcatFrontDoorAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.TomcatFrontDoorAdvice";

  private TomcatFrontDoorAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.Argument(1) Request request,
      @Advice.Argument(3) Response response,
      @Advice.Return(readOnly = false) boolean toPipeline) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (!toPipeline || bridge == null) {
      return; // Tomcat answered it itself (a redirect, a 400)
    }
    boolean rejecting = false;
    try {
      ActiveRules rules = bridge.rules();
      if (!rules.anyAtContainer()) {
        return;
      }
      String header = rules.forwardedForHeader();
      String forwardedFor =
          header == null ? null : ActiveRules.joinLines(request.getHeaders(header));
      Verdict verdict =
          rules.decide(
              Stage.CONTAINER,
              request.getMethod(),
              "",
              request.getDecodedRequestURI(),
              null,
              request.getRemoteAddr(),
              forwardedFor,
              null,
              request);
      if (verdict == null) {
        return;
      }
      for (int i = 0; i < verdict.headerCount(); i++) {
        response.setHeader(verdict.headerName(i), verdict.headerValue(i));
      }
      if (!verdict.isBlocked()) {
        if (verdict.awaitsCompletion()) {
          request.setAttribute(FrontDoor.PENDING_ATTRIBUTE, verdict); // see TomcatCompletedAdvice
        }
        return;
      }
      rejecting = true;
      toPipeline = false;
      request.setAttribute(FrontDoor.PENDING_ATTRIBUTE, verdict); // its access log line, at recycle
      response.setStatus(verdict.status());
      response.setContentType(verdict.contentType());
      response.setCharacterEncoding("UTF-8");
      response.setContentLength(verdict.bodyLength());
      PrintWriter body = response.getWriter(); // its type is the same in every Tomcat
      body.write(verdict.bodyText());
      body.flush();
    } catch (Throwable failure) {
      bridge.failed(failure);
      if (rejecting) {
        toPipeline = false;
      }
    }
  }
}
