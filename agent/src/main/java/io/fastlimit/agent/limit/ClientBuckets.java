package io.fastlimit.agent.limit;

import io.fastlimit.agent.backend.BucketKind;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.rules.ClientLimits;
import io.fastlimit.agent.rules.Rate;
import io.fastlimit.agent.rules.RateLimitRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The buckets of API clients that one configuration derives once: each rule's plan buckets (rate
 * and key start by plan name) and in-flight slot keys. A plan's bucket key names the plan ({@code
 * prefix:rule:plan-pro:{user}}), so a user whose plan changes starts afresh on the new plan's
 * bucket and plans never share a counter.
 */
final class ClientBuckets {

  /** A plan's rate and the constant start of its buckets' keys. */
  private static final class PlanBucket {
    final Rate rate;
    final String keyStart;

    PlanBucket(Rate rate, String keyStart) {
      this.rate = rate;
      this.keyStart = keyStart;
    }
  }

  /** By rule index: plan name to bucket; null for a rule without plans. */
  private final List<Map<String, PlanBucket>> plans;

  /** By rule index: key start of in-flight slots per IP and per user; null without a cap. */
  private final String[] inFlightIp;

  private final String[] inFlightUser;

  /** By rule index: the cap as a rate, for the 429 of a full rule (its Retry-After is 1 s). */
  private final Rate[] inFlightRate;

  private final boolean anyInFlight;

  ClientBuckets(AgentConfig config) {
    List<RateLimitRule> rules = config.rules().rules();
    plans = new ArrayList<>(Collections.nCopies(rules.size(), (Map<String, PlanBucket>) null));
    inFlightIp = new String[rules.size()];
    inFlightUser = new String[rules.size()];
    inFlightRate = new Rate[rules.size()];
    boolean any = false;
    for (RateLimitRule rule : rules) {
      ClientLimits limits = rule.clientLimits();
      String ruleStart = config.keyPrefix() + ':' + rule.name() + ':';
      if (!limits.plans().isEmpty()) {
        Map<String, PlanBucket> byName = new HashMap<>();
        for (Map.Entry<String, Rate> plan : limits.plans().entrySet()) {
          byName.put(
              plan.getKey(),
              new PlanBucket(plan.getValue(), ruleStart + "plan-" + plan.getKey() + ":{"));
        }
        plans.set(rule.index(), byName);
      }
      if (limits.concurrent() > 0 && !rule.dryRun()) {
        any = true;
        inFlightIp[rule.index()] = ruleStart + "inflight-ip:{";
        inFlightUser[rule.index()] = ruleStart + "inflight-user:{";
        int cap = limits.concurrent();
        inFlightRate[rule.index()] = new Rate(cap, 1_000, cap + " in flight");
      }
    }
    anyInFlight = any;
  }

  /** Whether any enforced rule caps requests in flight. */
  boolean anyInFlight() {
    return anyInFlight;
  }

  /** The charge of a user on a plan the rule names; null when it names no such plan. */
  Charge planCharge(RateLimitRule rule, String plan, String user) {
    Map<String, PlanBucket> byName = plans.get(rule.index());
    if (byName == null || plan == null) {
      return null;
    }
    PlanBucket bucket = byName.get(plan);
    return bucket == null
        ? null
        : new Charge(rule, BucketKind.USER, bucket.rate, bucket.keyStart, user);
  }

  /** Key start of the rule's in-flight slots for users or IPs; null when the rule has no cap. */
  String inFlightKeyStart(RateLimitRule rule, boolean perUser) {
    return (perUser ? inFlightUser : inFlightIp)[rule.index()];
  }

  /** The rule's cap as a rate of one second; null without a cap. */
  Rate inFlightRate(RateLimitRule rule) {
    return inFlightRate[rule.index()];
  }
}
