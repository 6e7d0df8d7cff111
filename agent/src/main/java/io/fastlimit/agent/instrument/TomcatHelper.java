package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.TomcatEntry;
import io.fastlimit.bootstrap.Verdict;
import java.io.PrintWriter;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;

/**
 * Tomcat's front door's work behind its call-outs ({@link TomcatFrontDoorAdvice}, {@link
 * TomcatCompletedAdvice}, or the launch weave): decides the rules of {@link Stage#CONTAINER} once
 * {@code CoyoteAdapter.postParseRequest} has decoded, normalized and mapped the request, on the
 * path Tomcat routes on (path parameters removed) and the peer and X-Forwarded-For as received, so
 * a blocked request gets the 429 before any valve, authenticator, filter or servlet runs; and
 * reports, when Tomcat recycles the request, how one whose verdict awaits it ended. Uses only
 * methods of Tomcat's connector classes whose signatures are the same in Tomcat 9 (javax), 10.1 and
 * 11 (jakarta): one copy serves all. Never loaded by the agent's own class loader: {@link
 * TomcatHelpers} defines it beside the Tomcat it is for, so it may use only Tomcat, JDK and
 * bootstrap classes, and no class of its own (no lambda, no nested class).
 */
public final class TomcatHelper extends TomcatEntry {

  @Override
  public boolean frontDoor(RateLimitBridge bridge, Object tomcatRequest, Object tomcatResponse) {
    boolean rejecting = false; // once the 429 is being written the pipeline must not run
    try {
      ActiveRules rules = bridge.rules(); // read once: a reload cannot mix two versions
      if (!rules.anyAtContainer()) {
        return true;
      }
      Request request = (Request) tomcatRequest;
      Response response = (Response) tomcatResponse;
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
        return true;
      }
      for (int i = 0; i < verdict.headerCount(); i++) {
        response.setHeader(verdict.headerName(i), verdict.headerValue(i));
      }
      if (!verdict.isBlocked()) {
        if (verdict.awaitsCompletion()) {
          request.setAttribute(FrontDoor.PENDING_ATTRIBUTE, verdict); // see recycled
        }
        return true;
      }
      rejecting = true;
      request.setAttribute(FrontDoor.PENDING_ATTRIBUTE, verdict); // its access log line, at recycle
      response.setStatus(verdict.status());
      response.setContentType(verdict.contentType());
      response.setCharacterEncoding("UTF-8");
      response.setContentLength(verdict.bodyLength());
      PrintWriter body = response.getWriter(); // its type is the same in every Tomcat
      body.write(verdict.bodyText());
      body.flush();
      return false;
    } catch (Throwable failure) {
      bridge.failed(failure);
      return !rejecting;
    }
  }

  /**
   * Tomcat logs only requests its pipeline ran, so a request refused at the front door gets its
   * access log line here, once the 429 is sent and its size known. The recycling itself then clears
   * the attribute, so each is told once (not removed here: Tomcat's removeAttribute needs the
   * request's context, which a request mapped to none lacks).
   */
  @Override
  public void recycled(RateLimitBridge bridge, Object tomcatRequest) {
    try {
      Request request = (Request) tomcatRequest;
      Object pending = request.getAttribute(FrontDoor.PENDING_ATTRIBUTE);
      if (!(pending instanceof Verdict)) {
        return;
      }
      Response response = request.getResponse();
      if (((Verdict) pending).isBlocked()) {
        // logged as Tomcat logs its own early refusals (no time: its unit differs between versions)
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
