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
 * Inlined at the start of the servlet API's two request entry points: {@code
 * Servlet.service(ServletRequest, ServletResponse)} and {@code Filter.doFilter(ServletRequest,
 * ServletResponse, FilterChain)}. A shell: it finds the {@link ServletEntry} for the servlet API
 * this class uses ({@link ServletHelper}, which reads the request, has the bridge decide and writes
 * headers or the rejection), skips the servlet or filter when the request is rejected, and keeps
 * the verdict that awaits how the request ends for the exit ({@link CompletionExitAdvice}, {@link
 * FilterExitAdvice}). Written once against javax.servlet; the jakarta.servlet copy is this class
 * with the package names swapped ({@link JakartaAdvice}). It runs in the application's class
 * loaders, so it uses only servlet, JDK and bootstrap classes.
 *
 * <p>It also traces the request through the filters ({@link FilterTrace}, left in {@link
 * FilterExitAdvice}) to report requests the application answers inside a filter, which servlet
 * rules never see.
 */
public final class ServletApiAdvice {

  private ServletApiAdvice() {}

  /** Returns true when the request was rejected, which skips the servlet or filter. */
  @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
  public static boolean enter(
      @Advice.This Object self,
      @Advice.Argument(0) ServletRequest request,
      @Advice.Argument(1) ServletResponse response,
      @Advice.Origin("#m") String entryMethod,
      @Advice.Local(CompletionExitAdvice.PENDING) Verdict pending) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return false;
    }
    boolean atFilter = entryMethod.equals("doFilter");
    if (atFilter) {
      FilterTrace.current().enterFilter(self.getClass()); // left in FilterExitAdvice
    }
    ServletEntry entry = ServletEntry.of(HttpServletRequest.class);
    Verdict verdict = entry == null ? null : entry.enter(bridge, atFilter, request, response);
    if (verdict == null) {
      return false;
    }
    if (verdict.awaitsCompletion()) {
      pending = verdict; // settled at this same entry's exit
    }
    return verdict.isBlocked();
  }
}
