package io.fastlimit.agent.backend;

import io.fastlimit.agent.rules.Algorithm;
import io.fastlimit.agent.rules.Rate;
import io.fastlimit.agent.rules.RateLimitRule;

/**
 * One bucket a request draws from: the rule and the kind of bucket (whose rate, cost and algorithm
 * apply) and the client it counts. A charge of a dry-run rule is observe-only: counted, but it
 * never blocks the request.
 *
 * <p>A bucket's key has two parts: the {@link #keyStart(String, String, BucketKind) key start},
 * constant for one rule and kind and ending in the {@code '{'} that opens a Redis Cluster hash tag,
 * and the request's {@code client}; the key is {@code keyStart + client + '}'}, built only when a
 * backend asks for it, so that the memory backend finds a bucket without building a string per
 * request.
 */
public final class Charge {

  private final RateLimitRule rule;
  private final BucketKind kind;
  private final Rate rate;
  private final String keyStart;
  private final String client;

  /**
   * The 32 bits of {@link #client} when the limiter parsed it as a canonical IPv4 address, else -1.
   */
  private final long clientV4;

  private String key; // built on first use; racing threads build equal strings

  /**
   * A charge of {@code rule} on the {@code kind} bucket of {@code client}.
   *
   * @param keyStart {@link #keyStart(String, String, BucketKind)} of the rule and kind, made once
   */
  public Charge(RateLimitRule rule, BucketKind kind, String keyStart, String client) {
    this(rule, kind, kind.rateOf(rule), keyStart, client, -1);
  }

  /**
   * As {@link #Charge(RateLimitRule, BucketKind, String, String)}, for a client the limiter has
   * already parsed as a canonical IPv4 address: {@code clientV4} is its 32 bits ({@link
   * io.fastlimit.agent.client.IpAddress#parseCanonicalV4} of {@code client}), handed on so that the
   * memory backend does not parse it a second time per request; -1 when not known.
   */
  public Charge(
      RateLimitRule rule, BucketKind kind, String keyStart, String client, long clientV4) {
    this(rule, kind, kind.rateOf(rule), keyStart, client, clientV4);
  }

  /**
   * A charge at a rate other than the kind's own: a plan's rate for a user on that plan, whose
   * {@code keyStart} names the plan so that plans never share a counter.
   */
  public Charge(RateLimitRule rule, BucketKind kind, Rate rate, String keyStart, String client) {
    this(rule, kind, rate, keyStart, client, -1);
  }

  private Charge(
      RateLimitRule rule,
      BucketKind kind,
      Rate rate,
      String keyStart,
      String client,
      long clientV4) {
    if (rate == null) {
      throw new IllegalArgumentException("rule " + rule.name() + " has no " + kind + " rate");
    }
    this.rule = rule;
    this.kind = kind;
    this.rate = rate;
    this.keyStart = keyStart;
    this.client = client;
    this.clientV4 = clientV4;
  }

  /** The constant part of the keys of one rule's buckets of one kind: {@code prefix:rule:ip:{}. */
  public static String keyStart(String prefix, String ruleName, BucketKind kind) {
    return prefix + ':' + ruleName + ':' + kind.keyWord() + ":{";
  }

  public String key() {
    String built = key;
    if (built == null) {
      built =
          new StringBuilder(keyStart.length() + client.length() + 1)
              .append(keyStart)
              .append(client)
              .append('}')
              .toString();
      key = built;
    }
    return built;
  }

  /** The constant part of the key, shared by every client of this rule and bucket kind. */
  public String keyStart() {
    return keyStart;
  }

  /** The request's part of the key: the client address or the user id. */
  public String client() {
    return client;
  }

  /**
   * The 32 bits of the client when it is a canonical IPv4 address the limiter parsed already, else
   * -1 (then parse {@link #client()} if need be).
   */
  public long clientV4() {
    return clientV4;
  }

  public RateLimitRule rule() {
    return rule;
  }

  public BucketKind kind() {
    return kind;
  }

  /** The rule's rate for this kind of bucket. */
  public Rate rate() {
    return rate;
  }

  public long limit() {
    return rate.limit();
  }

  public long windowMillis() {
    return rate.windowMillis();
  }

  public long cost() {
    return rule.cost();
  }

  public Algorithm algorithm() {
    return rule.algorithm();
  }

  public boolean observeOnly() {
    return rule.dryRun();
  }

  /**
   * When an admitted {@code outcome} of this charge counted it, the time to give it back at ({@code
   * count: failures}): the time it was decided, or later for a request timed before the window (or
   * the newest log entry) its bucket had already moved to, which counted there as if it came then;
   * the outcome's reset time tells where. Given back at its own time it would find that window gone
   * and stay counted.
   */
  public long countedAtMillis(Outcome outcome) {
    long at = outcome.decidedAtMillis();
    switch (algorithm()) {
      case FIXED_WINDOW: // full again at the end of the window it counted in
      case SLIDING_LOG: // full again a window after the entry it recorded
        return Math.max(at, outcome.resetAtMillis() - windowMillis());
      case SLIDING_WINDOW: // full again when the window after the one it counted in ends
        return Math.max(at, outcome.resetAtMillis() - 2 * windowMillis());
      default:
        return at;
    }
  }
}
