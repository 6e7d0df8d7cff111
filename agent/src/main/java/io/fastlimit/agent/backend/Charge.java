package io.fastlimit.agent.backend;

import io.fastlimit.agent.rules.Algorithm;

/**
 * One bucket a request draws from: its key, its limit per window, the algorithm and the cost.
 * An observe-only charge (dry-run) is counted but never blocks the request.
 *
 * <p>The limiter names a bucket in two parts, the rule's constant {@code bucket} (ending in the
 * {@code '{'} that opens a Redis Cluster hash tag) and the request's {@code client}; the key is
 * {@code bucket + client + '}'}, built only when a backend asks for it, so that the memory
 * backend finds a bucket without building a string per request.
 */
public final class Charge {

  private final String bucket;
  private final String client;
  private String key; // built on first use; racing threads build equal strings
  private final long limit;
  private final long windowMillis;
  private final long cost;
  private final Algorithm algorithm;
  private final boolean observeOnly;

  /** A charge on a bucket named by its whole key. */
  public Charge(
      String key,
      long limit,
      long windowMillis,
      long cost,
      Algorithm algorithm,
      boolean observeOnly) {
    this(key, null, limit, windowMillis, cost, algorithm, observeOnly);
    this.key = key;
  }

  /** A charge on the bucket {@code bucket + client + '}'}. */
  public Charge(
      String bucket,
      String client,
      long limit,
      long windowMillis,
      long cost,
      Algorithm algorithm,
      boolean observeOnly) {
    this.bucket = bucket;
    this.client = client;
    this.limit = limit;
    this.windowMillis = windowMillis;
    this.cost = cost;
    this.algorithm = algorithm;
    this.observeOnly = observeOnly;
  }

  public String key() {
    String built = key;
    if (built == null) {
      built =
          new StringBuilder(bucket.length() + client.length() + 1)
              .append(bucket)
              .append(client)
              .append('}')
              .toString();
      key = built;
    }
    return built;
  }

  /** The constant part of the key, or the whole key when the charge was made with one. */
  public String bucket() {
    return bucket;
  }

  /** The request's part of the key, or null when the charge was made with a whole key. */
  public String client() {
    return client;
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
