package io.fastlimit.agent.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a rule sets for API clients beyond its ip and user rates: a rate per plan ({@code plans:}),
 * used instead of the user rate for users on that plan, and a cap on requests in flight per client
 * ({@code concurrent:}). Immutable.
 */
public final class ClientLimits {

  /** A rule with neither plans nor an in-flight cap. */
  public static final ClientLimits NONE = new ClientLimits(Collections.emptyMap(), 0);

  private final Map<String, Rate> plans;
  private final int concurrent;

  /**
   * @param plans rate by plan name, in the file's order
   * @param concurrent most requests of one client in flight; 0 for no cap
   */
  public ClientLimits(Map<String, Rate> plans, int concurrent) {
    if (concurrent < 0) {
      throw new IllegalArgumentException("concurrent must be 0 (none) or more");
    }
    this.plans = Collections.unmodifiableMap(new LinkedHashMap<>(plans));
    this.concurrent = concurrent;
  }

  /** The rate of users on {@code plan}, or null when the rule names no such plan. */
  public Rate planRate(String plan) {
    return plan == null ? null : plans.get(plan);
  }

  /** Rate by plan name, in the file's order; empty without plans. */
  public Map<String, Rate> plans() {
    return plans;
  }

  /** Most requests of one client (user, else IP) in flight on the rule; 0 for no cap. */
  public int concurrent() {
    return concurrent;
  }

  /** Text for `check` output: empty for {@link #NONE}. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Rate> plan : plans.entrySet()) {
      out.append(" plan ").append(plan.getKey()).append('=').append(plan.getValue());
    }
    if (concurrent > 0) {
      out.append(" concurrent=").append(concurrent);
    }
    return out.toString();
  }
}
