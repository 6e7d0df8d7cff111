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

  /** At the first filter: only the rules marked {@code before-filters}. */
  int STAGE_BEFORE_FILTERS = 0;

  /** At the servlet, after the filter stage ran: the other rules. */
  int STAGE_SERVLET = 1;

  /** At the servlet when no filter ran: every rule, in one step. */
  int STAGE_SERVLET_ALL_RULES = 2;

  /** Whether any rule is decided before the app's filters; when not, filters are skipped. */
  boolean hasRulesBeforeFilters();

  /** The request attribute holding the user id, or null when no rule needs one from it. */
  String userIdAttribute();

  /** Whether the user id is {@code getUserPrincipal().getName()} instead of an attribute. */
  boolean userIdFromPrincipal();

  /** The header listing forwarding addresses when trusted proxies are configured, else null. */
  String forwardedForHeader();

  /**
   * Decides one request at one stage. Returns null when no rule applies (nothing to count,
   * nothing to write). Never throws: a failure inside lets the request through.
   */
  Verdict decide(
      int stage,
      String method,
      String path,
      String peerAddress,
      String forwardedFor,
      String userId);

  /**
   * Reports a REQUEST that the application answered inside a filter, before any servlet: rules
   * decided at the servlet that cover it never apply. Implementations say so once per rule. The
   * path comes in the parts the container gives; never throws.
   */
  void answeredInFilter(
      String method, String contextPath, String servletPath, String pathInfo, String filter);

  /**
   * Reports a request that was blocked when its response was already committed (a filter wrote
   * and flushed before the chain went on): the advice skipped the servlet or filter, but could
   * write no 429. Implementations say so once, not per request; never throws. The request was
   * already counted as blocked by {@link #decide}.
   */
  default void blockedOnCommittedResponse(int stage, String method, String path) {}

  /** Reports a failure in the advice itself; implementations log it once, not per request. */
  void failed(Throwable failure);

  /**
   * Reports a component that rewrites the client address, by the key the agent gave it, when it
   * is created; implementations say once what the agent does about it. Never throws.
   */
  default void rewriterSeen(String component) {}
}
