package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FilterTrace;
import io.fastlimit.bootstrap.RateLimitBridge;
import javax.servlet.DispatcherType;
import javax.servlet.ServletRequest;
import javax.servlet.http.HttpServletRequest;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of {@code doFilter} of every filter, paired with {@link ServletApiAdvice}'s
 * enter: when the outermost filter returns and no servlet saw the request, tells the bridge which
 * filter answered it. Only reads the request. Written against javax.servlet; the jakarta copy is
 * made by {@link JakartaAdvice}.
 */
public final class FilterExitAdvice {

  private FilterExitAdvice() {}

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter boolean rejected,
      @Advice.Argument(0) ServletRequest request,
      @Advice.Thrown Throwable thrown) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return;
    }
    Class<?> answeredBy = FilterTrace.current().leaveFilter();
    // a request the agent rejected, or one a filter failed on, was not answered by the app
    if (answeredBy == null
        || rejected
        || thrown != null
        || !(request instanceof HttpServletRequest)) {
      return;
    }
    HttpServletRequest httpRequest = (HttpServletRequest) request;
    // an async request goes on elsewhere: a servlet may still see it on another thread
    if (httpRequest.getDispatcherType() != DispatcherType.REQUEST || httpRequest.isAsyncStarted()) {
      return;
    }
    bridge.answeredInFilter(
        httpRequest.getMethod(),
        httpRequest.getServletContext().getContextPath(),
        httpRequest.getServletPath(),
        httpRequest.getPathInfo(),
        answeredBy.getName());
  }
}
