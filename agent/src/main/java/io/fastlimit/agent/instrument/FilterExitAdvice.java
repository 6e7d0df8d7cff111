package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ServletCallout;
import javax.servlet.http.HttpServletRequest;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of {@code doFilter} of every filter, paired with {@link ServletApiAdvice}'s
 * enter: a shell over {@link ServletCallout#filterExit}. When this filter admitted a request that
 * awaits how it ends (count: failures), that end is reported as {@link CompletionExitAdvice} does
 * at a servlet; when the outermost filter returns and no servlet saw the request, which filter
 * answered it. Only reads the request. Written against javax.servlet; the jakarta copy is made by
 * {@link JakartaAdvice}.
 */
public final class FilterExitAdvice {

  private FilterExitAdvice() {}

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Local(CompletionExitAdvice.ENTERED) Object entered,
      @Advice.Argument(0) Object request,
      @Advice.Argument(1) Object response,
      @Advice.Thrown Throwable thrown) {
    ServletCallout.filterExit(entered, request, response, thrown, HttpServletRequest.class);
  }
}
