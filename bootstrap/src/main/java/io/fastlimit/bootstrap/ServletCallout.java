package io.fastlimit.bootstrap;

/**
 * What a servlet's {@code service} and a filter's {@code doFilter} call around the application's
 * code, with JDK types only, whichever way they were instrumented: the agent's launch weave makes
 * each entry method a wrapper calling these (no Byte Buddy at the JVM's launch), and the Byte Buddy
 * advice (attach, and classes the weave leaves to it) is a shell calling the same. {@code
 * requestType} is the servlet API's {@code HttpServletRequest} as the instrumented class links
 * against it (javax or jakarta): it picks the {@link ServletEntry} for that API. Nothing here
 * throws: a failure is reported to the bridge (logged once) and the request goes on.
 */
public final class ServletCallout {

  private ServletCallout() {}

  /**
   * At the start of {@code service} ({@code atFilter} false) or {@code doFilter}: decides the
   * request where its rules are decided. Returns what the exit is handed (a {@link Verdict}, at a
   * filter that decides nothing the thread's {@link FilterTrace}, or null); when {@link #rejected}
   * says so, the application's code must not run.
   */
  public static Object enter(
      Object self, Object request, Object response, boolean atFilter, Class<?> requestType) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return null;
    }
    try {
      if (atFilter) {
        FilterTrace trace = FilterTrace.current();
        trace.enterFilter(self.getClass()); // left in filterExit
        if (!bridge.decidesAtFilters()) {
          return trace; // nothing to decide here; the exit takes the trace from it
        }
      }
      ServletEntry entry = ServletEntry.of(requestType);
      return entry == null ? null : entry.enter(bridge, atFilter, request, response);
    } catch (Throwable failure) {
      bridge.failed(failure);
      return null;
    }
  }

  /** True when {@link #enter} rejected the request: the 429 is written, the app must not run. */
  public static boolean rejected(Object entered) {
    return entered instanceof Verdict && ((Verdict) entered).isBlocked();
  }

  /**
   * At the end of {@code service}, returned or thrown ({@code thrown}), also when {@link #enter}
   * rejected the request: reports how a request that awaits it ended, else records where a forward
   * went.
   */
  public static void serviceExit(
      Object entered, Object request, Object response, Throwable thrown, Class<?> requestType) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return;
    }
    try {
      ServletEntry entry = ServletEntry.of(requestType);
      if (entry == null) {
        return;
      }
      Verdict pending = pending(entered);
      if (pending == null) {
        entry.forwarded(request);
      } else {
        entry.completed(bridge, pending, request, response, thrown);
      }
    } catch (Throwable failure) {
      bridge.failed(failure);
    }
  }

  /**
   * At the end of {@code doFilter}, returned or thrown, also when {@link #enter} rejected the
   * request: reports how a request this filter admitted ended when that is awaited, and, at the
   * outermost filter, that the application answered the request inside a filter.
   */
  public static void filterExit(
      Object entered, Object request, Object response, Throwable thrown, Class<?> requestType) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return;
    }
    try {
      Verdict pending = pending(entered);
      ServletEntry entry = pending == null ? null : ServletEntry.of(requestType);
      if (entry != null) {
        entry.completed(bridge, pending, request, response, thrown);
      }
      FilterTrace trace =
          entered instanceof FilterTrace ? (FilterTrace) entered : FilterTrace.current();
      Class<?> answeredBy = trace.leaveFilter();
      // a request the agent rejected, or one a filter failed on, was not answered by the app
      if (answeredBy != null && !rejected(entered) && thrown == null) {
        entry = entry == null ? ServletEntry.of(requestType) : entry;
        if (entry != null) {
          entry.answeredInFilter(bridge, answeredBy, request);
        }
      }
    } catch (Throwable failure) {
      bridge.failed(failure);
    }
  }

  /**
   * At the start of {@code setRemoteAddr} of a container's own request class (Tomcat's connector
   * request, Jetty's request up to Jetty 11): keeps the peer and the forwarding header as received,
   * before a forwarding component rewrites them.
   */
  public static void receivedAddress(Object request, Class<?> requestType) {
    RateLimitBridge bridge = BridgeHolder.get();
    if (bridge == null) {
      return;
    }
    try {
      ServletEntry entry = ServletEntry.of(requestType);
      if (entry != null) {
        entry.receivedAddress(bridge, request);
      }
    } catch (Throwable failure) {
      bridge.failed(failure);
    }
  }

  private static Verdict pending(Object entered) {
    return entered instanceof Verdict && ((Verdict) entered).awaitsCompletion()
        ? (Verdict) entered
        : null;
  }
}
