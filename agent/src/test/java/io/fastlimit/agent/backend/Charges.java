package io.fastlimit.agent.backend;

import io.fastlimit.agent.rules.Algorithm;
import io.fastlimit.agent.rules.Rate;
import io.fastlimit.agent.rules.RateLimitRule;

/** Charges for backend tests, made as the limiter makes them: a rule's charge on an IP bucket. */
public final class Charges {

  private Charges() {}

  /** The charge on {@code keyStart + client + '}'} of a rule with this rate and cost. */
  public static Charge charge(
      String keyStart,
      String client,
      long limit,
      long windowMillis,
      long cost,
      Algorithm algorithm,
      boolean observeOnly) {
    Rate rate = new Rate(limit, windowMillis, limit + "/" + windowMillis + "ms");
    RateLimitRule rule =
        new RateLimitRule(0, "test", null, null, rate, null, cost, algorithm, observeOnly, false);
    return new Charge(rule, BucketKind.IP, keyStart, client);
  }

  /** The same on a key written whole, {@code start{client}}. */
  public static Charge charge(
      String key,
      long limit,
      long windowMillis,
      long cost,
      Algorithm algorithm,
      boolean observeOnly) {
    int open = key.lastIndexOf('{');
    if (open < 0 || !key.endsWith("}")) {
      throw new IllegalArgumentException("a bucket key ends in {client}: " + key);
    }
    String client = key.substring(open + 1, key.length() - 1);
    return charge(
        key.substring(0, open + 1), client, limit, windowMillis, cost, algorithm, observeOnly);
  }
}
