package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import javax.servlet.AsyncListener;
import javax.servlet.DispatcherType;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of {@code Servlet.service}, paired with {@link ServletApiAdvice}'s enter: when
 * that same entry admitted a request whose verdict awaits how it ends ({@code count: failures}),
 * tells the bridge the response's status, its Location header and where the request was forwarded
 * ({@link RateLimitBridge#completed}). At a FORWARD dispatch of such a request it records the
 * forward target (inside the application, without the context path) for that report, also for a
 * verdict of the container's front door (a FORM login's error page). Filters do the same in {@link
 * FilterExitAdvice}. Written against javax.servlet; the jakarta copy is made by {@link
 * JakartaAdvice}.
 *
 * <p>A request that went asynchronous ends on another thread: the agent's pending state (an {@code
 * InvocationHandler}) is registered as an {@code AsyncListener} proxy and reports the end itself.
 * An application that throws is reported with status 0, unknown, which keeps the charge: an attempt
 * nobody saw end is counted.
 */
public final class CompletionExitAdvice {

  /** The name of the local variable that carries the pending verdict from enter to exit. */
  static final String PENDING = "fastlimitPending";

  private CompletionExitAdvice() {}

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Local(PENDING) Verdict pending,
      @Advice.Argument(0) ServletRequest request,
      @Advice.Argument(1) ServletResponse response,
      @Advice.Thrown Throwable thrown) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null || !(request instanceof HttpServletRequest)) {
      return;
    }
    HttpServletRequest httpRequest = (HttpServletRequest) request;
    if (pending == null) {
      // a forward inside a request that awaits its end: remember where it went
      // (the front door's verdict too: a container FORM login forwards to its error page)
      if (httpRequest.getDispatcherType() == DispatcherType.FORWARD
          && (httpRequest.getAttribute(RateLimitBridge.PENDING_ATTRIBUTE) != null
              || httpRequest.getAttribute(FrontDoor.PENDING_ATTRIBUTE) != null)) {
        String pathInfo = httpRequest.getPathInfo();
        String servletPath = httpRequest.getServletPath();
        httpRequest.setAttribute(
            RateLimitBridge.FORWARDED_TO_ATTRIBUTE,
            pathInfo == null ? servletPath : servletPath + pathInfo);
      }
      return;
    }
    if (thrown == null
        && httpRequest.isAsyncStarted()
        && pending.pending() instanceof InvocationHandler) {
      // it ends on another thread: the agent's own state listens for that end
      httpRequest
          .getAsyncContext()
          .addListener(
              (AsyncListener)
                  Proxy.newProxyInstance(
                      AsyncListener.class.getClassLoader(),
                      new Class<?>[] {AsyncListener.class},
                      (InvocationHandler) pending.pending()));
      return;
    }
    httpRequest.removeAttribute(RateLimitBridge.PENDING_ATTRIBUTE);
    HttpServletResponse httpResponse =
        response instanceof HttpServletResponse ? (HttpServletResponse) response : null;
    boolean known = thrown == null && httpResponse != null && !httpRequest.isAsyncStarted();
    bridge.completed(
        pending,
        known ? httpResponse.getStatus() : 0,
        httpResponse == null ? null : httpResponse.getHeader("Location"),
        ActiveRules.text(httpRequest.getAttribute(RateLimitBridge.FORWARDED_TO_ATTRIBUTE)));
  }
}
