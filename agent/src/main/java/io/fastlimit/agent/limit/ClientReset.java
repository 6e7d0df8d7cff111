package io.fastlimit.agent.limit;

import io.fastlimit.agent.backend.Backend;
import io.fastlimit.agent.backend.BucketKind;
import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.client.KeyText;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.agent.rules.RateLimitRule;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Unblocks a client: forgets its counters of one rule or of every rule, by the kind of bucket
 * ({@code ip}, {@code user}, or any other {@link BucketKind}'s word) and the id as the client sends
 * it or as the agent's logs show it. What JMX and {@code java -jar fastlimit-agent.jar reset} call.
 */
public final class ClientReset {

  private final Supplier<AgentConfig> config;
  private final Supplier<Backend> backend;

  /** Resets in the counters of {@code backend} under the rules {@code config} has now. */
  public ClientReset(Supplier<AgentConfig> config, Supplier<Backend> backend) {
    this.config = config;
    this.backend = backend;
  }

  /**
   * Forgets the {@code kind} buckets of client {@code id} in rule {@code rule}, or in every rule
   * with such buckets when {@code rule} is null, empty or {@code *}. Returns what was done, one
   * line per rule.
   *
   * @throws IllegalArgumentException naming what to write instead, for an unknown kind or rule
   * @throws IllegalStateException when there are no rules in force or the backend cannot reset
   */
  public String reset(String kind, String id, String rule) {
    AgentConfig current = config.get();
    Backend counters = backend.get();
    if (current == null || counters == null) {
      throw new IllegalStateException("no rules are in force; there is nothing to reset");
    }
    BucketKind bucketKind = kindNamed(kind);
    if (id == null || id.trim().isEmpty()) {
      throw new IllegalArgumentException("name the client: an IP address, a user id or account");
    }
    String client = clientKey(current, bucketKind, id.trim());
    if (client == null) {
      return "ip " + id.trim() + " is exempt (exempt-ips): it has no counters";
    }
    List<RateLimitRule> rules = rulesNamed(current, bucketKind, rule);
    StringBuilder report = new StringBuilder();
    int cleared = 0;
    for (RateLimitRule each : rules) {
      boolean held;
      String inRule = client;
      if (bucketKind == BucketKind.ACCOUNT && !id.trim().startsWith("~")) {
        // as the limiter keys it: normalized by the rule (trim, case), then hashed
        inRule = AccountKey.of(current.keyPrefix(), each.login().normalizeAccount(id.trim()));
      }
      try {
        held =
            counters.reset(
                Charge.keyStart(current.keyPrefix(), each.name(), bucketKind),
                inRule,
                bucketKind.rateOf(each).windowMillis());
      } catch (UnsupportedOperationException e) {
        throw new IllegalStateException(
            "the " + current.backend() + " backend cannot reset counters: " + e.getMessage());
      }
      cleared += held ? 1 : 0;
      report
          .append(report.length() == 0 ? "" : "\n")
          .append(KeyText.forLog(each.name()))
          .append(": ")
          .append(bucketKind.keyWord())
          .append(' ')
          .append(inRule)
          .append(held ? " reset" : " had no counter");
    }
    AgentLog.info(
        "operator reset the "
            + bucketKind.keyWord()
            + " counters of "
            + client
            + " in "
            + (rules.size() == 1 ? "rule " + KeyText.forLog(rules.get(0).name()) : "every rule")
            + ": "
            + cleared
            + " of "
            + rules.size()
            + " held a counter");
    return report.toString();
  }

  private static BucketKind kindNamed(String kind) {
    List<String> words = new ArrayList<>();
    for (BucketKind each : BucketKind.values()) {
      if (each.keyWord().equalsIgnoreCase(kind == null ? "" : kind.trim())) {
        return each;
      }
      words.add(each.keyWord());
    }
    throw new IllegalArgumentException(
        "unknown kind of client '" + KeyText.forLog(kind) + "': write one of " + words);
  }

  /**
   * The client's part of the bucket key, as the limiter makes it: an address as the rules resolve
   * it (IPv6 cut to its prefix; null when exempt), any other id bounded as in the logs. An id
   * already in its logged form ({@code ~...}) is taken as it is.
   */
  private static String clientKey(AgentConfig config, BucketKind kind, String id) {
    if (id.startsWith("~")) {
      return id;
    }
    if (kind == BucketKind.IP) {
      return config.clientIp().resolve(id, null);
    }
    return KeyText.bounded(id);
  }

  private static List<RateLimitRule> rulesNamed(AgentConfig config, BucketKind kind, String rule) {
    boolean every = rule == null || rule.trim().isEmpty() || rule.trim().equals("*");
    List<RateLimitRule> found = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (RateLimitRule each : config.rules().rules()) {
      if (kind.rateOf(each) == null) {
        continue;
      }
      names.add(each.name());
      if (every || each.name().equals(rule.trim())) {
        found.add(each);
      }
    }
    if (found.isEmpty()) {
      throw new IllegalArgumentException(
          (every ? "no rule has " : "no rule named '" + KeyText.forLog(rule) + "' has ")
              + kind.keyWord()
              + " buckets; rules that do: "
              + names);
    }
    return found;
  }
}
