package io.fastlimit.agent.identity;

/**
 * Who a request is, as the limiter keys it: the user id in the form bucket keys use (bounded or
 * hashed, never a secret in clear) and the plan the request names, each null when absent.
 */
public final class Identified {

  /** No user: the request counts per client IP. */
  public static final Identified ANONYMOUS = new Identified(null, null);

  private final String user;
  private final String plan;

  public Identified(String user, String plan) {
    this.user = user;
    this.plan = plan;
  }

  /** The user id as bucket keys use it, or null for an anonymous request. */
  public String user() {
    return user;
  }

  /** The plan the request names (which a rule's {@code plans:} may or may not list), or null. */
  public String plan() {
    return plan;
  }

  Identified withPlan(String otherPlan) {
    return otherPlan == null && plan == null ? this : new Identified(user, otherPlan);
  }
}
