package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.ServletEntry;
import io.fastlimit.bootstrap.Verdict;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of {@code Servlet.service}, paired with {@link ServletApiAdvice}'s enter: when
 * that same entry admitted a request whose verdict awaits how it ends ({@code count: failures}),
 * has the {@link ServletEntry} report the response's status, its Location header and where the
 * request was forwarded ({@link RateLimitBridge#completed}); else it lets it record a FORWARD
 * dispatch's target for that report, also for a verdict of the container's front door. Filters do
 * the same in {@link FilterExitAdvice}. Written against javax.servlet; the jakarta copy is made by
 * {@link JakartaAdvice}.
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
    ServletEntry entry = bridge == null ? null : ServletEntry.of(HttpServletRequest.class);
    if (entry == null) {
      return;
    }
    if (pending == null) {
      entry.forwarded(request);
    } else {
      entry.completed(bridge, pending, request, response, thrown);
    }
  }
}
