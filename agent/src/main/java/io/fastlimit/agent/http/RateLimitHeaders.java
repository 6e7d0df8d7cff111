package io.fastlimit.agent.http;

/**
 * The rate-limit response header names, pre-built once per rules version so that a request only
 * fills in values. Immutable.
 */
public final class RateLimitHeaders {

  private final boolean enabled;
  private final String[] allowedNames;
  private final String[] blockedNames;
  private final String[] retryAfterOnly;

  public RateLimitHeaders(
      boolean enabled, String limit, String remaining, String reset, String retryAfter) {
    this.enabled = enabled;
    this.allowedNames = new String[] {limit, remaining, reset};
    this.blockedNames = new String[] {limit, remaining, reset, retryAfter};
    this.retryAfterOnly = new String[] {retryAfter};
  }

  public static RateLimitHeaders defaults() {
    return new RateLimitHeaders(
        true, "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After");
  }

  public boolean enabled() {
    return enabled;
  }

  /** Names for an admitted request: limit, remaining, reset. Shared; do not modify. */
  public String[] allowedNames() {
    return allowedNames;
  }

  /** Names for a blocked request: limit, remaining, reset, retry-after. Shared; do not modify. */
  public String[] blockedNames() {
    return blockedNames;
  }

  /** Names for a blocked request when the rate-limit headers are off. Shared; do not modify. */
  public String[] retryAfterOnly() {
    return retryAfterOnly;
  }
}
