package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.FilterTrace;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.ServletEntry;
import io.fastlimit.bootstrap.Verdict;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of {@code doFilter} of every filter, paired with {@link ServletApiAdvice}'s
 * enter: when this filter admitted a request that awaits how it ends (count: failures), reports
 * that end as {@link CompletionExitAdvice} does at a servlet; when the outermost filter returns and
 * no servlet saw the request, reports which filter answered it. Only reads the request. Written
 * against javax.servlet; the jakarta copy is made by {@link JakartaAdvice}.
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
    ServletEntry entry = ServletEntry.of(HttpServletRequest.class);
    if (pending != null && entry != null) {
      entry.completed(bridge, pending, request, response, thrown);
    }
    Class<?> answeredBy = FilterTrace.current().leaveFilter();
    // a request the agent rejected, or one a filter failed on, was not answered by the app
    if (answeredBy != null && !rejected && thrown == null && entry != null) {
      entry.answeredInFilter(bridge, answeredBy, request);
    }
  }
}
