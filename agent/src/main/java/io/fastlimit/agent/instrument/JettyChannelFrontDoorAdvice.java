package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.nio.charset.StandardCharsets;
import javax.servlet.DispatcherType;
import javax.servlet.ServletOutputStream;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * The front door of Jetty 9.4, 10 and 11: inlined at the start of the private {@code
 * HttpChannel.dispatch(DispatcherType, Dispatchable)}, which for {@code REQUEST} runs the
 * connector's customizers (ForwardedRequestCustomizer) and then {@code Server.handle(HttpChannel)}:
 * every handler, security handler (FORM {@code j_security_check}, BASIC, DIGEST), filter and
 * servlet. Decides the rules of {@link Stage#CONTAINER} on the target Server.handle routes on (the
 * request's path info before any context: decoded, dot segments and path parameters removed) and
 * the peer and X-Forwarded-For as received, since no customizer has run yet. A blocked request gets
 * the 429 here and the dispatch is skipped; Jetty then completes the committed response. Async
 * re-dispatches ({@code ASYNC}) and error dispatches are not decided again. Reads the channel's
 * request and response through the servlet API only; written against javax.servlet (9.4, 10), the
 * jakarta copy (11) is made by {@link JakartaAdvice}. How the request ended is told by {@link
 * JettyChannelCompletedAdvice}.
 */
public final class JettyChannelFrontDoorAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.JettyChannelFrontDoorAdvice";

  private JettyChannelFrontDoorAdvice() {}

  /** Returns true when the request was rejected, which skips the dispatch. */
  @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
  public static boolean enter(
      @Advice.Argument(0) DispatcherType type,
      @Advice.FieldValue(value = "_request", typing = Assigner.Typing.DYNAMIC)
          HttpServletRequest request,
      @Advice.FieldValue(value = "_response", typing = Assigner.Typing.DYNAMIC)
          HttpServletResponse response) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null || type != DispatcherType.REQUEST || request == null) {
      return false;
    }
    boolean rejecting = false;
    try {
      ActiveRules rules = bridge.rules();
      if (!rules.anyAtContainer()) {
        return false;
      }
      String path = request.getPathInfo(); // the target Server.handle routes on
      if (path == null) {
        return false;
      }
      String header = rules.forwardedForHeader();
      String forwardedFor =
          header == null ? null : ActiveRules.joinLines(request.getHeaders(header));
      Verdict verdict =
          rules.decide(
              Stage.CONTAINER,
              request.getMethod(),
              "",
              path,
              null,
              request.getRemoteAddr(),
              forwardedFor,
              null,
              request);
      if (verdict == null) {
        return false;
      }
      for (int i = 0; i < verdict.headerCount(); i++) {
        response.setHeader(verdict.headerName(i), verdict.headerValue(i));
      }
      if (!verdict.isBlocked()) {
        if (verdict.awaitsCompletion()) {
          request.setAttribute(FrontDoor.PENDING_ATTRIBUTE, verdict); // see the completed advice
        }
        return false;
      }
      rejecting = true;
      byte[] body = verdict.bodyText().getBytes(StandardCharsets.UTF_8);
      response.setStatus(verdict.status());
      response.setContentType(verdict.contentType());
      response.setCharacterEncoding("UTF-8");
      response.setContentLength(body.length);
      ServletOutputStream out = response.getOutputStream();
      out.write(body);
      response.flushBuffer();
      return true;
    } catch (Throwable failure) {
      bridge.failed(failure);
      return rejecting; // a half-written 429 must not be followed by the handlers
    }
  }
}
