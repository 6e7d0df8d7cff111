package io.fastlimit.agent.config;

import io.fastlimit.agent.rules.ClientLimits;
import io.fastlimit.agent.rules.Rate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * A rule's {@code plans: {name: RATE}} and {@code concurrent: N}: the rate of users on each plan
 * (instead of the rule's {@code user:} rate) and the cap on one client's requests in flight.
 */
final class ClientLimitsSection {

  static final String PLANS = "plans";
  static final String CONCURRENT = "concurrent";

  /** Highest in-flight cap: a client with more requests in flight is a flood, not a client. */
  static final int MAX_CONCURRENT = 10_000;

  private ClientLimitsSection() {}

  /** Whether the rule's keys limit something through these settings. */
  static boolean limitsSomething(Map<String, Node> keys) {
    return keys.containsKey(PLANS) || keys.containsKey(CONCURRENT);
  }

  /**
   * The rule's plans and cap; every problem goes to {@code yaml}. {@code cost} is the rule's,
   * {@code maxLimitTimesWindow} the bound on a rate that the backend counts exactly.
   */
  static ClientLimits read(
      YamlReader yaml, Map<String, Node> keys, long cost, long maxLimitTimesWindow) {
    Map<String, Rate> plans = plans(yaml, keys.get(PLANS), cost, maxLimitTimesWindow);
    int concurrent =
        keys.containsKey(CONCURRENT) ? yaml.integer(keys.get(CONCURRENT), 0, 1, MAX_CONCURRENT) : 0;
    return plans.isEmpty() && concurrent == 0
        ? ClientLimits.NONE
        : new ClientLimits(plans, concurrent);
  }

  private static Map<String, Rate> plans(
      YamlReader yaml, Node node, long cost, long maxLimitTimesWindow) {
    Map<String, Rate> plans = new LinkedHashMap<>();
    if (node == null) {
      return plans;
    }
    if (!(node instanceof MappingNode)) {
      yaml.problem(
          node,
          "plans must map plan names to rates, e.g. plans: {free: 100/hour, pro: 10000/hour}");
      return plans;
    }
    for (NodeTuple tuple : ((MappingNode) node).getValue()) {
      String name = yaml.string(tuple.getKeyNode());
      if (name == null) {
        continue;
      }
      if (!validPlan(name)) {
        yaml.problem(
            tuple.getKeyNode(),
            "invalid plan name '"
                + name
                + "': use up to 40 letters, digits and . _ - characters, as the plan-from value"
                + " spells it");
        continue;
      }
      if (plans.containsKey(name)) {
        yaml.problem(tuple.getKeyNode(), "plan '" + name + "' appears twice in plans");
        continue;
      }
      Rate rate = RulesSection.rate(yaml, tuple.getValueNode(), maxLimitTimesWindow);
      if (rate != null && cost > rate.limit()) {
        yaml.problem(
            tuple.getValueNode(),
            "cost " + cost + " is above the limit " + rate + ": no request could ever pass");
      } else if (rate != null) {
        plans.put(name, rate);
      }
    }
    if (plans.isEmpty() && ((MappingNode) node).getValue().isEmpty()) {
      yaml.problem(node, "plans is empty; name at least one plan, e.g. plans: {pro: 10000/hour}");
    }
    return plans;
  }

  /** Plan names go into bucket keys: short, plain, no braces or colons. */
  static boolean validPlan(String name) {
    if (name.isEmpty() || name.length() > 40) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      boolean ok =
          (ch >= 'a' && ch <= 'z')
              || (ch >= 'A' && ch <= 'Z')
              || (ch >= '0' && ch <= '9')
              || ch == '.'
              || ch == '_'
              || ch == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
