package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.FilterTrace;
import io.fastlimit.bootstrap.ServletCallout;
import javax.servlet.http.HttpServletRequest;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the start of the servlet API's two request entry points: {@code
 * Servlet.service(ServletRequest, ServletResponse)} and {@code Filter.doFilter(ServletRequest,
 * ServletResponse, FilterChain)}. A shell over {@link ServletCallout#enter}, the call the launch
 * weave makes too: it finds the entry code for the servlet API this class uses ({@link
 * ServletHelper}, which reads the request, has the bridge decide and writes headers or the
 * rejection), and traces the request through the filters ({@link FilterTrace}) to report requests
 * the application answers inside a filter, which servlet rules never see. The advice skips the
 * servlet or filter when the request is rejected, and keeps what the call-out returned for the exit
 * ({@link CompletionExitAdvice}, {@link FilterExitAdvice}). Written once against javax.servlet; the
 * jakarta.servlet copy is this class with the package names swapped ({@link JakartaAdvice}), so the
 * class constant names that copy's servlet API.
 */
public final class ServletApiAdvice {

  private ServletApiAdvice() {}

  /** Returns true when the request was rejected, which skips the servlet or filter. */
  @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
  public static boolean enter(
      @Advice.This Object self,
      @Advice.Argument(0) Object request,
      @Advice.Argument(1) Object response,
      @Advice.Origin("#m") String entryMethod,
      @Advice.Local(CompletionExitAdvice.ENTERED) Object entered) {
    entered =
        ServletCallout.enter(
            self, request, response, entryMethod.equals("doFilter"), HttpServletRequest.class);
    return ServletCallout.rejected(entered);
  }
}
