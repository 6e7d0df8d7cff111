package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FilterTrace;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Verdict;
import javax.servlet.DispatcherType;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of {@code doFilter} of every filter, paired with {@link ServletApiAdvice}'s
 * enter: when the outermost filter returns and no servlet saw the request, tells the bridge which
 * filter answered it. Only reads the request. When this filter admitted a request that awaits how
 * it ends (count: failures), reports that end as {@link CompletionExitAdvice} does at a servlet.
 * Written against javax.servlet; the jakarta copy is made by {@link JakartaAdvice}.
 */
public final class FilterExitAdvice {

  private FilterExitAdvice() {}

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter boolean rejected,
      @Advice.Argument(0) ServletRequest request,
      @Advice.Thrown Throwable thrown,
      @Advice.Argument(1) ServletResponse response,
      @Advice.Local(CompletionExitAdvice.PENDING) Verdict pending) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return;
    }
    if (pending != null && request instanceof HttpServletRequest) {
      // as CompletionExitAdvice: this filter admitted a request that awaits how it ends
      HttpServletRequest decided = (HttpServletRequest) request;
      decided.removeAttribute(RateLimitBridge.PENDING_ATTRIBUTE);
      boolean known =
          thrown == null && response instanceof HttpServletResponse && !decided.isAsyncStarted();
      bridge.completed(
          pending,
          known ? ((HttpServletResponse) response).getStatus() : 0,
          response instanceof HttpServletResponse
              ? ((HttpServletResponse) response).getHeader("Location")
              : null,
          ActiveRules.text(decided.getAttribute(RateLimitBridge.FORWARDED_TO_ATTRIBUTE)));
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
