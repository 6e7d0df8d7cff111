package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.ServletCallout;
import javax.servlet.http.HttpServletRequest;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of {@code Servlet.service}, paired with {@link ServletApiAdvice}'s enter: a
 * shell over {@link ServletCallout#serviceExit}. When that same entry admitted a request whose
 * verdict awaits how it ends ({@code count: failures}), the response's status, its Location header
 * and where the request was forwarded are reported ({@link RateLimitBridge#completed}); else a
 * FORWARD dispatch's target is recorded for that report, also for a verdict of the container's
 * front door. Filters do the same in {@link FilterExitAdvice}. Written against javax.servlet; the
 * jakarta copy is made by {@link JakartaAdvice}.
 */
public final class CompletionExitAdvice {

  /**
   * The name of the local variable that carries what {@link ServletCallout#enter} returned from
   * enter to exit.
   */
  static final String ENTERED = "fastlimitEntered";

  private CompletionExitAdvice() {}

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Local(ENTERED) Object entered,
      @Advice.Argument(0) Object request,
      @Advice.Argument(1) Object response,
      @Advice.Thrown Throwable thrown) {
    ServletCallout.serviceExit(entered, request, response, thrown, HttpServletRequest.class);
  }
}
