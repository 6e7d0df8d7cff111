package io.fastlimit.agent.backend;

import io.fastlimit.agent.rules.Algorithm;

/**
 * One bucket a request draws from: its key, its limit per window, the algorithm and the cost.
 * An observe-only charge (dry-run) is counted but never blocks the request.
 */
public final class Charge {

  private final String key;
  private final long limit;
  private final long windowMillis;
  private final long cost;
  private final Algorithm algorithm;
  private final boolean observeOnly;

  public Charge(
      String key,
      long limit,
      long windowMillis,
      long cost,
      Algorithm algorithm,
      boolean observeOnly) {
    this.key = key;
    this.limit = limit;
    this.windowMillis = windowMillis;
    this.cost = cost;
    this.algorithm = algorithm;
    this.observeOnly = observeOnly;
  }

  public String key() {
    return key;
  }

  public long limit() {
    return limit;
  }

  public long windowMillis() {
    return windowMillis;
  }

  public long cost() {
    return cost;
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  public boolean observeOnly() {
    return observeOnly;
  }
}
