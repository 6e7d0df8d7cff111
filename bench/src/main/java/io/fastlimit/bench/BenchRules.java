package io.fastlimit.bench;

import io.fastlimit.agent.backend.BucketKind;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.bootstrap.RateLimitBridge;

/**
 * The rules files the decision benchmarks run against: {@code ruleCount} wildcard rules {@code
 * /api/v0/**} ... {@code /api/v<N-1>/**}, so that a request to {@code /api/v<N-1>/...} matches only
 * the last one. Every rule is a pattern on purpose: exact paths are found by one hash lookup, but
 * patterns are tried one by one, so this is the case where rule count costs the most.
 */
final class BenchRules {

  /**
   * Never reached in a run: 12 digits is the most a rate may have, and limit x window (6e16) stays
   * under Rate.MAX_LIMIT_TIMES_WINDOW (2^60).
   */
  static final String HUGE_LIMIT = "999999999999/min";

  /**
   * Bucket4j's capacity and refill per minute: never reached either. Smaller than {@link
   * #HUGE_LIMIT} because Bucket4j refuses refill rates above one token per nanosecond.
   */
  static final long HUGE_CAPACITY = 10_000_000_000L;

  /** A documentation address (RFC 5737): the one client, so one hot key per rule. */
  static final String CLIENT_IP = "203.0.113.7";

  private BenchRules() {}

  /** A path that the last of {@code ruleCount} rules matches and no other. */
  static String pathOfLastRule(int ruleCount) {
    return "/api/v" + (ruleCount - 1) + "/orders/42";
  }

  /** A path under the same /api prefix that no rule matches: every pattern is tried. */
  static String unmatchedPath() {
    return "/api/unlimited/orders/42";
  }

  /** A limiter over the in-memory backend, as the agent builds it at start. */
  static RateLimitBridge limiter(int ruleCount, String algorithm) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("algorithm: ").append(algorithm).append('\n');
    yaml.append("rules:\n");
    for (int i = 0; i < ruleCount; i++) {
      yaml.append("  - {path: /api/v")
          .append(i)
          .append("/**, limit: ")
          .append(HUGE_LIMIT)
          .append("}\n");
    }
    AgentConfig config = parse(yaml.toString());
    MemoryBackend backend = new MemoryBackend(System::currentTimeMillis, config.memoryMaxKeys());
    return new LimiterBridge(new RateLimiter(config, backend, new Stats()));
  }

  /**
   * The charge the limiter makes for {@code client} on a one-rule file with this limit (as {@code
   * 100/min}) and algorithm, for the benchmarks that call a backend directly.
   */
  static Charge charge(String keyStart, String client, String limit, String algorithm) {
    RateLimitRule rule =
        parse("algorithm: " + algorithm + "\nrules:\n  - {path: /hot, limit: " + limit + "}\n")
            .rules()
            .rules()
            .get(0);
    return new Charge(rule, BucketKind.IP, keyStart, client);
  }

  static AgentConfig parse(String yaml) {
    try {
      return ConfigLoader.parse(yaml, "bench-rules.yaml", name -> null);
    } catch (ConfigException e) {
      throw new IllegalStateException(
          "the benchmark's rules file is invalid: " + e.getMessage(), e);
    }
  }
}
