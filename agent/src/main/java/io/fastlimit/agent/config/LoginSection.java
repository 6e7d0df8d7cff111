package io.fastlimit.agent.config;

import io.fastlimit.agent.rules.Algorithm;
import io.fastlimit.agent.rules.LoginProtection;
import io.fastlimit.agent.rules.Rate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The login keys of a rule: {@code account}, {@code account-from}, {@code account-ignore-case},
 * {@code count} and {@code failure}, read into the rule's {@link LoginProtection}. Every problem
 * goes to the {@link YamlReader} with its position.
 */
final class LoginSection {

  /** The rule keys read here. */
  static final List<String> KEYS =
      Collections.unmodifiableList(
          Arrays.asList("account", "account-from", "account-ignore-case", "count", "failure"));

  private static final List<String> FAILURE_KEYS = Arrays.asList("status", "redirect", "forward");

  private static final String SOURCES = "form:NAME, query:NAME, header:NAME or basic-user";

  private final YamlReader yaml;

  private LoginSection(YamlReader yaml) {
    this.yaml = yaml;
  }

  /** The rule keys: {@code ruleKeys} and the login keys. */
  static List<String> withRuleKeys(List<String> ruleKeys) {
    List<String> all = new ArrayList<>(ruleKeys);
    all.addAll(KEYS);
    return Collections.unmodifiableList(all);
  }

  /**
   * The login settings of one rule from its keys; {@link LoginProtection#NONE} when it has none.
   * {@code rate} parses a rate node as the rule's other rates are parsed (null after a problem).
   */
  static LoginProtection read(
      YamlReader yaml,
      Map<String, Node> keys,
      long cost,
      Algorithm algorithm,
      Function<Node, Rate> rate) {
    return new LoginSection(yaml).read(keys, cost, algorithm, rate);
  }

  private LoginProtection read(
      Map<String, Node> keys, long cost, Algorithm algorithm, Function<Node, Rate> rate) {
    boolean any = false;
    for (String key : KEYS) {
      any |= keys.containsKey(key);
    }
    if (!any) {
      return LoginProtection.NONE;
    }
    Node accountNode = keys.get("account");
    Node fromNode = keys.get("account-from");
    Rate accountRate = accountNode == null ? null : rate.apply(accountNode);
    if (accountNode != null && fromNode == null) {
      yaml.problem(
          accountNode,
          "'account' needs 'account-from' to say where the account is: "
              + SOURCES
              + ", e.g. account-from: form:j_username");
    }
    if (fromNode != null && accountNode == null) {
      yaml.problem(
          fromNode,
          "'account-from' without 'account': add the account's rate, e.g. account: 5/15min");
    }
    if (accountRate != null && cost > accountRate.limit()) {
      yaml.problem(
          accountNode,
          "cost " + cost + " is above the limit " + accountRate + ": no request could ever pass");
    }
    if (accountRate != null
        && algorithm == Algorithm.SLIDING_LOG
        && accountRate.limit() > Algorithm.SLIDING_LOG_MAX_LIMIT) {
      yaml.problem(
          accountNode,
          "the limit of "
              + accountRate
              + " is too large for sliding-log: its limit may be at most "
              + Algorithm.SLIDING_LOG_MAX_LIMIT
              + "; use algorithm: sliding-window for this rule");
    }
    LoginProtection.Source source = null;
    String name = null;
    if (fromNode != null) {
      String text = yaml.nonEmptyString(fromNode, "where the account comes from (" + SOURCES + ")");
      if (text != null) {
        for (LoginProtection.Source candidate : LoginProtection.Source.values()) {
          String prefix = candidate.configPrefix();
          if (candidate == LoginProtection.Source.BASIC_USER
              ? text.equals(prefix)
              : text.startsWith(prefix)) {
            source = candidate;
            name =
                candidate == LoginProtection.Source.BASIC_USER
                    ? null
                    : text.substring(prefix.length()).trim();
          }
        }
        if (source == null) {
          yaml.problem(fromNode, "unknown account source '" + text + "'; write " + SOURCES);
        } else if (name != null && name.isEmpty()) {
          yaml.problem(
              fromNode,
              "'"
                  + text
                  + "' names no "
                  + (source == LoginProtection.Source.HEADER ? "header" : "parameter")
                  + "; write e.g. "
                  + source.configPrefix()
                  + "j_username");
          source = null;
        }
      }
    }
    boolean ignoreCase = yaml.bool(keys.get("account-ignore-case"), true);
    if (keys.containsKey("account-ignore-case") && accountNode == null) {
      yaml.problem(
          keys.get("account-ignore-case"),
          "'account-ignore-case' applies to 'account'; add account and account-from, or drop it");
    }
    boolean failuresOnly = count(keys.get("count"));
    Node failureNode = keys.get("failure");
    int[] statuses = LoginProtection.DEFAULT_FAILURE_STATUSES;
    String[] redirects = null;
    String[] forwards = null;
    if (failureNode != null) {
      if (!failuresOnly) {
        yaml.problem(
            failureNode,
            "'failure' says which responses count with 'count: failures'; add count: failures, or"
                + " drop failure");
      }
      Map<String, Node> failure = yaml.mapping(failureNode, "failure", FAILURE_KEYS);
      if (failure != null) {
        if (failure.containsKey("status")) {
          statuses = statuses(failure.get("status"));
        }
        redirects = patterns(failure.get("redirect"), "redirect", false);
        forwards = patterns(failure.get("forward"), "forward", true);
      }
    }
    return new LoginProtection(
        source == null ? null : accountRate,
        source == null || accountRate == null ? null : source,
        source == null || accountRate == null ? null : name,
        ignoreCase,
        failuresOnly,
        statuses,
        redirects,
        forwards);
  }

  private boolean count(Node node) {
    if (node == null) {
      return false;
    }
    String text = yaml.nonEmptyString(node, "what counts (all or failures)");
    if (text == null) {
      return false;
    }
    if (text.equals("failures")) {
      return true;
    }
    if (!text.equals("all")) {
      yaml.problem(node, "unknown count '" + text + "'; valid: all, failures");
    }
    return false;
  }

  private int[] statuses(Node node) {
    List<Integer> out = new ArrayList<>();
    for (Node entry : yaml.oneOrList(node, "failure statuses")) {
      int before = yaml.problemCount();
      int status = yaml.integer(entry, 0, 100, 599);
      if (yaml.problemCount() == before && status != 0) {
        out.add(status);
      }
    }
    int[] statuses = new int[out.size()];
    for (int i = 0; i < statuses.length; i++) {
      statuses[i] = out.get(i);
    }
    return statuses;
  }

  private String[] patterns(Node node, String what, boolean paths) {
    if (node == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Node entry : yaml.oneOrList(node, "failure " + what)) {
      String text = yaml.nonEmptyString(entry, "a " + what + " pattern");
      if (text == null) {
        continue;
      }
      if (paths && !text.startsWith("/") && !text.startsWith("*")) {
        yaml.problem(
            entry,
            "invalid forward '"
                + YamlReader.printable(text)
                + "': write the path the request is forwarded to, starting with /, e.g."
                + " /login-error.jsp");
        continue;
      }
      out.add(text);
    }
    return out.toArray(new String[0]);
  }
}
