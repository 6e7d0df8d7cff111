package io.fastlimit.bootstrap;

/**
 * What the advice inlined into servlet containers calls: plain Java values in, a {@link Verdict}
 * out. It lives on the bootstrap class path so that code in any class loader can see it; the
 * implementation lives in the agent's own classes.
 */
public interface RateLimitBridge {

  /** Request attribute that marks a request as already decided, so it is never counted twice. */
  String DECIDED_ATTRIBUTE = "io.fastlimit.decided";

  /** Request attribute that marks the rules decided before the app's filters as done. */
  String DECIDED_BEFORE_FILTERS_ATTRIBUTE = "io.fastlimit.decided.before-filters";

  /**
   * Request attribute holding the admitted {@link Verdict} that {@link Verdict#awaitsCompletion()
   * awaits how the request ends}; the entry point that decided reads it when the request completes
   * and hands it to {@link #completed}.
   */
  String PENDING_ATTRIBUTE = "io.fastlimit.pending";

  /**
   * Request attribute naming the path a request awaiting completion was forwarded to inside the
   * server (a FORM login's error page, say), set where the forward is seen and passed to {@link
   * #completed} as {@code forwardPath}.
   */
  String FORWARDED_TO_ATTRIBUTE = "io.fastlimit.forwarded-to";

  /**
   * The rules in force now: an entry point takes them once per request and reads and decides
   * through them alone. Never null; never throws.
   */
  ActiveRules rules();

  /**
   * Whether any rule in force is decided at the application's filters ({@code before-filters}).
   * When none is, a filter's entry point decides nothing: the call-out does not ask it (a request
   * passes a dozen filters in a Spring Security app, each entered and left).
   */
  default boolean decidesAtFilters() {
    return rules().anyBeforeFilters();
  }

  /** The header listing forwarding addresses when trusted proxies are configured, else null. */
  default String forwardedForHeader() {
    return rules().forwardedForHeader();
  }

  /**
   * Reports a REQUEST that the application answered inside a filter, before any servlet: rules
   * decided at the servlet that cover it never apply. Implementations say so once per rule. The
   * path comes in the parts the container gives; never throws.
   */
  void answeredInFilter(
      String method, String contextPath, String servletPath, String pathInfo, String filter);

  /**
   * Tells how a request ended whose verdict {@link Verdict#awaitsCompletion() awaits it}: called
   * once per such verdict, by the entry point that decided, when the response is complete (or the
   * request failed or was abandoned). {@code status} is the response status (0 when unknown),
   * {@code location} the Location header or null, {@code forwardPath} the path the request was
   * forwarded to inside the server or null. Never throws.
   */
  default void completed(Verdict verdict, int status, String location, String forwardPath) {}

  /** Reports a failure in the advice itself; implementations log it once, not per request. */
  void failed(Throwable failure);

  /**
   * Reports a component that rewrites the client address, by the key the agent gave it, when it is
   * created; implementations say once what the agent does about it. Never throws.
   */
  default void rewriterSeen(String component) {}
}
