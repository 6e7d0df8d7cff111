package io.fastlimit.agent.config;

import io.fastlimit.agent.rules.Algorithm;
import io.fastlimit.agent.rules.ClientLimits;
import io.fastlimit.agent.rules.LoginProtection;
import io.fastlimit.agent.rules.PathPattern;
import io.fastlimit.agent.rules.Rate;
import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.bootstrap.Stage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.nodes.Node;

/** The {@code rules} list of a rules file: each rule's path, methods, rates, cost and name. */
final class RulesSection {

  private static final List<String> RULE_KEYS =
      LoginSection.withRuleKeys(
          Arrays.asList(
              "name",
              "path",
              "methods",
              "limit",
              "ip",
              "user",
              "cost",
              "algorithm",
              "dry-run",
              RuleStageSetting.ALIAS,
              RuleStageSetting.KEY,
              ClientLimitsSection.PLANS,
              ClientLimitsSection.CONCURRENT));

  static final YamlReader.Words<Algorithm> ALGORITHMS =
      new YamlReader.Words<>(
          "algorithm",
          "an algorithm",
          Algorithm.values(),
          Algorithm::configName,
          Algorithm.configNames());

  private final YamlReader yaml;
  private final Algorithm defaultAlgorithm;
  private final boolean defaultDryRun;
  private final long maxLimitTimesWindow;

  /** Whether the agent reads the user id itself (API key, JWT): {@code user} fits every stage. */
  private boolean userAtEveryStage;

  /**
   * {@code maxLimitTimesWindow} bounds limit x window-ms: lower with Redis, whose Lua counts in
   * doubles.
   */
  private RulesSection(
      YamlReader yaml,
      Algorithm defaultAlgorithm,
      boolean defaultDryRun,
      long maxLimitTimesWindow) {
    this.yaml = yaml;
    this.defaultAlgorithm = defaultAlgorithm;
    this.defaultDryRun = defaultDryRun;
    this.maxLimitTimesWindow = maxLimitTimesWindow;
  }

  /** The valid rules of the list; every problem goes to {@code yaml}. */
  static List<RateLimitRule> read(
      YamlReader yaml,
      Node rulesNode,
      Algorithm defaultAlgorithm,
      boolean defaultDryRun,
      long maxLimitTimesWindow) {
    return read(yaml, rulesNode, defaultAlgorithm, defaultDryRun, maxLimitTimesWindow, false);
  }

  /** As the other, {@code userAtEveryStage} when the user id comes from an API key or a JWT. */
  static List<RateLimitRule> read(
      YamlReader yaml,
      Node rulesNode,
      Algorithm defaultAlgorithm,
      boolean defaultDryRun,
      long maxLimitTimesWindow,
      boolean userAtEveryStage) {
    RulesSection section =
        new RulesSection(yaml, defaultAlgorithm, defaultDryRun, maxLimitTimesWindow);
    section.userAtEveryStage = userAtEveryStage;
    return section.rules(rulesNode);
  }

  private List<RateLimitRule> rules(Node rulesNode) {
    List<RateLimitRule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Node ruleNode : yaml.list(rulesNode, "rules")) {
      RateLimitRule rule = rule(ruleNode, rules.size());
      if (rule != null) {
        if (!names.add(rule.name())) {
          yaml.problem(
              ruleNode,
              "two rules are named '"
                  + rule.name()
                  + "'; give each rule its own 'name' (counters are keyed by it)");
        }
        rules.add(rule);
      }
    }
    return rules;
  }

  private RateLimitRule rule(Node node, int index) {
    Map<String, Node> keys = yaml.mapping(node, "a rule", RULE_KEYS);
    if (keys == null) {
      return null;
    }
    int before = yaml.problemCount();
    PathPattern path = null;
    if (!keys.containsKey("path")) {
      yaml.problem(node, "the rule has no 'path'; add one, e.g. path: /login or path: /api/**");
    } else {
      String text = yaml.nonEmptyString(keys.get("path"), "a path");
      if (text != null) {
        try {
          path = PathPattern.compile(text);
        } catch (IllegalArgumentException e) {
          yaml.problem(keys.get("path"), e.getMessage());
        }
      }
    }
    String[] methods = methods(keys.get("methods"));
    if (keys.containsKey("limit") && keys.containsKey("ip")) {
      yaml.problem(keys.get("limit"), "'limit' is shorthand for 'ip'; write one of them, not both");
    }
    Rate ipRate = rate(keys.containsKey("ip") ? keys.get("ip") : keys.get("limit"));
    Rate userRate = rate(keys.get("user"));
    if (!keys.containsKey("ip")
        && !keys.containsKey("limit")
        && !keys.containsKey("user")
        && !ClientLimitsSection.limitsSomething(keys)) {
      yaml.problem(
          node, "the rule limits nothing; add 'limit: 10/min' (per IP) or 'user: 100/min'");
    }
    long cost = yaml.integer(keys.get("cost"), 1, 1, Integer.MAX_VALUE);
    for (Rate rate : new Rate[] {ipRate, userRate}) {
      if (rate != null && cost > rate.limit()) {
        yaml.problem(
            keys.get("cost"),
            "cost " + cost + " is above the limit " + rate + ": no request could ever pass");
      }
    }
    Algorithm algorithm = yaml.word(keys.get("algorithm"), ALGORITHMS, defaultAlgorithm);
    if (algorithm == Algorithm.SLIDING_LOG) {
      slidingLogLimit(ipRate, keys.containsKey("ip") ? keys.get("ip") : keys.get("limit"));
      slidingLogLimit(userRate, keys.get("user"));
    }
    ClientLimits clientLimits = ClientLimitsSection.read(yaml, keys, cost, maxLimitTimesWindow);
    boolean dryRun = yaml.bool(keys.get("dry-run"), defaultDryRun);
    Stage stage = RuleStageSetting.read(yaml, keys, path, userAtEveryStage);
    String name = null;
    if (keys.containsKey("name")) {
      name = yaml.nonEmptyString(keys.get("name"), "a rule name");
      if (name != null && !validName(name)) {
        yaml.problem(
            keys.get("name"),
            "invalid rule name '"
                + name
                + "': use up to 100 letters, digits and . _ - / : characters");
      }
    } else if (path != null) {
      name = defaultName(path, methods);
    }
    LoginProtection login = LoginSection.read(yaml, keys, cost, algorithm, this::rate);
    if (yaml.problemCount() > before || path == null || name == null) {
      return null;
    }
    return new RateLimitRule(
            index, name, path, methods, ipRate, userRate, cost, algorithm, dryRun, stage, login)
        .withClientLimits(clientLimits);
  }

  /**
   * A sliding log keeps one timestamp per request in the window: its limit is bounded so that a
   * client's bucket stays within a few KB.
   */
  private void slidingLogLimit(Rate rate, Node rateNode) {
    if (rate != null && rate.limit() > Algorithm.SLIDING_LOG_MAX_LIMIT) {
      yaml.problem(
          rateNode,
          "the limit of "
              + rate
              + " is too large for sliding-log, which keeps the time of every request in the"
              + " window: its limit may be at most "
              + Algorithm.SLIDING_LOG_MAX_LIMIT
              + "; use algorithm: sliding-window for this rule (constant memory, close to exact)");
    }
  }

  /** Stable across restarts and instances: counters of every instance meet under it. */
  private static String defaultName(PathPattern path, String[] methods) {
    // canonical, so /login and /login/ are one name (and a duplicate if both are written)
    String canonical = PathPattern.normalize(path.toString());
    if (methods == null) {
      return canonical;
    }
    String[] sorted = methods.clone();
    Arrays.sort(sorted);
    return String.join(",", sorted) + " " + canonical;
  }

  private static boolean validName(String name) {
    if (name.length() > 100) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      boolean ok =
          Character.isLetterOrDigit(ch)
              || ch == '.'
              || ch == '_'
              || ch == '-'
              || ch == '/'
              || ch == ':'
              || ch == '*';
      if (!ok || ch > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private String[] methods(Node node) {
    if (node == null) {
      return null;
    }
    Set<String> methods = new TreeSet<>();
    for (Node entry : yaml.oneOrList(node, "methods")) {
      String method = yaml.string(entry);
      if (method == null) {
        continue;
      }
      String upper = method.trim().toUpperCase(Locale.ROOT);
      if (upper.isEmpty() || !upper.chars().allMatch(ch -> ch >= 'A' && ch <= 'Z')) {
        yaml.problem(
            entry, "invalid method '" + method + "': write an HTTP method such as GET or POST");
      } else {
        methods.add(upper);
      }
    }
    return methods.isEmpty() ? null : methods.toArray(new String[0]);
  }

  private Rate rate(Node node) {
    return node == null ? null : rate(yaml, node, maxLimitTimesWindow);
  }

  /**
   * A rate as written, or null after reporting the problem at the node: one that does not parse, or
   * one too large for exact counting ({@code limit x window} over {@code maxLimitTimesWindow}).
   */
  static Rate rate(YamlReader yaml, Node node, long maxLimitTimesWindow) {
    String text = yaml.string(node);
    if (text == null) {
      return null;
    }
    try {
      Rate rate = Rate.parse(text);
      if (rate.limit() > maxLimitTimesWindow / rate.windowMillis()) {
        yaml.problem(
            node,
            "invalid rate '"
                + text
                + "': too large for exact counting in Redis; use a shorter window with a"
                + " proportional limit (e.g. 1000/s rather than 86400000/day)");
        return null;
      }
      return rate;
    } catch (IllegalArgumentException e) {
      yaml.problem(node, e.getMessage());
      return null;
    }
  }
}
