package io.fastlimit.bootstrap;

/**
 * What the advice inlined into servlet containers calls: plain Java values in, a {@link Verdict}
 * out. It lives on the bootstrap class path so that code in any class loader can see it; the
 * implementation lives in the agent's own classes.
 */
public interface RateLimitBridge {

  /** Request attribute that marks a request as already decided, so it is never counted twice. */
  String DECIDED_ATTRIBUTE = "io.fastlimit.decided";

  /** The request attribute holding the user id, or null when no rule needs one from it. */
  String userIdAttribute();

  /** Whether the user id is {@code getUserPrincipal().getName()} instead of an attribute. */
  boolean userIdFromPrincipal();

  /** The header listing forwarding addresses when trusted proxies are configured, else null. */
  String forwardedForHeader();

  /**
   * Decides one request. Returns null when no rule applies (nothing to count, nothing to write).
   * Never throws: a failure inside lets the request through.
   */
  Verdict decide(
      String method, String path, String peerAddress, String forwardedFor, String userId);

  /** Reports a failure in the advice itself; implementations log it once, not per request. */
  void failed(Throwable failure);
}
