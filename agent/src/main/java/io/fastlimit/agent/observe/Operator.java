package io.fastlimit.agent.observe;

import io.fastlimit.agent.client.KeyText;
import java.util.List;

/**
 * The operator's actions as JMX publishes them ({@code io.fastlimit:type=Operator}): unblock a
 * client, and see who is blocked most.
 */
public final class Operator implements Jmx.OperatorMBean {

  /** Clients listed per rule when the caller does not say. */
  public static final int DEFAULT_TOP = 10;

  /**
   * Resets a client's counters (the limiter's {@code ClientReset}, which knows how keys are built);
   * says what was reset.
   */
  public interface Resets {
    String reset(String kind, String id, String rule);
  }

  private final Resets resets;
  private final Stats stats;

  public Operator(Resets resets, Stats stats) {
    this.resets = resets;
    this.stats = stats;
  }

  @Override
  public String reset(String kind, String id, String rule) {
    return resets.reset(kind, id, rule);
  }

  @Override
  public String blocked(String rule, int top) {
    boolean every = rule == null || rule.trim().isEmpty() || rule.trim().equals("*");
    int count = top > 0 ? top : DEFAULT_TOP;
    StringBuilder out = new StringBuilder();
    for (RuleStats each : stats.all()) {
      if (!every && !each.rule().equals(rule.trim())) {
        continue;
      }
      List<BlockedClients.Entry> entries = each.blockedClients().top(count, BlockedClients.MINUTES);
      if (every && entries.isEmpty()) {
        continue;
      }
      out.append(out.length() == 0 ? "" : "\n")
          .append("rule ")
          .append(KeyText.forLog(each.rule()))
          .append(": ")
          .append(entries.isEmpty() ? "nobody" : "top " + entries.size())
          .append(" blocked in the last ")
          .append(BlockedClients.MINUTES)
          .append(" minutes");
      for (BlockedClients.Entry entry : entries) {
        out.append("\n  ")
            .append(entry.count())
            .append(' ')
            .append(entry.kind())
            .append(' ')
            .append(entry.client());
      }
    }
    if (out.length() == 0) {
      if (!every) {
        throw new IllegalArgumentException(
            "no rule named '" + KeyText.forLog(rule) + "'; rules: " + ruleNames());
      }
      return "nobody was blocked in the last " + BlockedClients.MINUTES + " minutes";
    }
    return out.toString();
  }

  private String ruleNames() {
    StringBuilder names = new StringBuilder("[");
    for (RuleStats each : stats.all()) {
      names.append(names.length() == 1 ? "" : ", ").append(KeyText.forLog(each.rule()));
    }
    return names.append(']').toString();
  }
}
