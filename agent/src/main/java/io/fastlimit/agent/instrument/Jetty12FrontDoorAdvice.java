package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FormBodies;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.ReceivedAddress;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.bytebuddy.asm.Advice;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty 12's front door: inlined around {@code Server.handle(Request, Response, Callback)}, which
 * every request enters once, before any context, security handler (FORM {@code j_security_check},
 * BASIC, DIGEST) or filter. Decides the rules of {@link Stage#CONTAINER} on the canonical path
 * Jetty routes on (decoded, dot segments and path parameters removed) and the peer and
 * X-Forwarded-For as received (recorded by {@link Jetty12ReceivedAddressAdvice} when a customizer
 * rewrote them). A blocked request gets the 429 here, written through the request's callback, and
 * the server's handlers never run. Names Jetty's core types only, no servlet type: one copy serves
 * ee8 to ee11.
 *
 * <p>When a rule reads its account from a form field, a form body of known length up to {@link
 * FormBodies#MAX_BODY} is handed on in the agent's {@link Jetty12FormRequest}, which reads it only
 * if a rule asks (here or at a later stage) and replays it to the application.
 */
public final class Jetty12FrontDoorAdvice {

  /**
   * This class's name, to name the advice without loading the class (a class literal would, for
   * every server, present or not, at the agent's start).
   */
  public static final String NAME = "io.fastlimit.agent.instrument.Jetty12FrontDoorAdvice";

  private Jetty12FrontDoorAdvice() {}

  /** Returns true when the request was rejected, which skips the server's handlers. */
  @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
  public static boolean enter(
      @Advice.Argument(value = 0, readOnly = false) Request request,
      @Advice.Argument(1) Response response,
      @Advice.Argument(2) Callback callback) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null || request == null) {
      return false;
    }
    boolean rejecting = false;
    try {
      ActiveRules rules = bridge.rules();
      if (rules.anyFormAccount()) {
        // a form a rule may read (at any stage): the handlers get a request that can replay it
        long length = request.getLength();
        String contentType = request.getHeaders().get("Content-Type");
        if (length > 0
            && length <= FormBodies.MAX_BODY
            && contentType != null
            && FormBodies.isUrlEncodedForm(contentType)) {
          request = (Request) FormBodies.jetty12(request);
        }
      }
      if (!rules.anyAtContainer()) {
        return false;
      }
      String path = request.getHttpURI().getCanonicalPath();
      if (path == null) {
        return false; // a path Jetty cannot resolve: it refuses the request itself
      }
      Object recorded =
          ReceivedAddress.anyRecorded()
              ? request.getAttribute(ReceivedAddress.PEER_ATTRIBUTE)
              : null;
      String header = rules.forwardedForHeader();
      String forwardedFor = null;
      if (header != null && recorded != null) {
        forwardedFor =
            ActiveRules.text(request.getAttribute(ReceivedAddress.FORWARDED_FOR_ATTRIBUTE));
      } else if (header != null) {
        List<String> values = request.getHeaders().getValuesList(header);
        forwardedFor = ActiveRules.joinLines(values);
      }
      String peer = recorded != null ? recorded.toString() : Request.getRemoteAddr(request);
      Verdict verdict =
          rules.decide(
              Stage.CONTAINER,
              request.getMethod(),
              "",
              path,
              null,
              peer,
              forwardedFor,
              null,
              request);
      if (verdict == null) {
        return false;
      }
      HttpFields.Mutable headers = response.getHeaders();
      for (int i = 0; i < verdict.headerCount(); i++) {
        headers.put(verdict.headerName(i), verdict.headerValue(i));
      }
      if (!verdict.isBlocked()) {
        if (verdict.awaitsCompletion()) {
          Request.addCompletionListener(request, FrontDoor.completion(bridge, verdict, response));
        }
        return false;
      }
      rejecting = true;
      response.setStatus(verdict.status());
      headers.put("Content-Type", verdict.contentType());
      response.write(
          true, ByteBuffer.wrap(verdict.bodyText().getBytes(StandardCharsets.UTF_8)), callback);
      return true;
    } catch (Throwable failure) {
      bridge.failed(failure);
      if (rejecting) {
        callback.failed(failure); // the handlers must not run; Jetty answers the failure
      }
      return rejecting;
    }
  }

  /** A rejected request was handled: its callback is (being) completed. */
  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(
      @Advice.Enter boolean rejected, @Advice.Return(readOnly = false) boolean handled) {
    if (rejected) {
      handled = true;
    }
  }
}
