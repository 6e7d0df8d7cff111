package io.fastlimit.agent.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of one version of the rules file, indexed for matching: exact paths by hash lookup,
 * patterns in file order. Immutable; a reload builds a new one and swaps it in whole.
 */
public final class RuleSet {

  private static final RateLimitRule[] NONE = new RateLimitRule[0];

  private final List<RateLimitRule> rules;
  private final Map<String, RateLimitRule[]> exact;
  private final RateLimitRule[] patterns;

  public RuleSet(List<RateLimitRule> rules) {
    this.rules = Collections.unmodifiableList(new ArrayList<>(rules));
    Map<String, List<RateLimitRule>> byPath = new HashMap<>();
    List<RateLimitRule> patternRules = new ArrayList<>();
    for (RateLimitRule rule : rules) {
      String path = rule.path().exactPath();
      if (path != null) {
        byPath.computeIfAbsent(path, k -> new ArrayList<>()).add(rule);
      } else {
        patternRules.add(rule);
      }
    }
    this.exact = new HashMap<>();
    for (Map.Entry<String, List<RateLimitRule>> entry : byPath.entrySet()) {
      exact.put(entry.getKey(), entry.getValue().toArray(NONE));
    }
    this.patterns = patternRules.toArray(NONE);
  }

  public List<RateLimitRule> rules() {
    return rules;
  }

  /**
   * The rules covering a request, in file order; an empty array when none does. The path is the
   * decoded path the application routes on; it is canonicalized here.
   */
  public RateLimitRule[] match(String method, String path) {
    String canonical = PathPattern.normalize(path);
    RateLimitRule[] candidates = exact.get(canonical);
    RateLimitRule[] found = null;
    int count = 0;
    if (candidates != null) {
      for (RateLimitRule rule : candidates) {
        if (rule.coversMethod(method)) {
          if (found == null) {
            found = new RateLimitRule[candidates.length + patterns.length];
          }
          found[count++] = rule;
        }
      }
    }
    for (RateLimitRule rule : patterns) {
      if (rule.coversMethod(method) && rule.path().matches(canonical)) {
        if (found == null) {
          found = new RateLimitRule[patterns.length];
        }
        found[count++] = rule;
      }
    }
    if (count == 0) {
      return NONE;
    }
    if (count < found.length) {
      RateLimitRule[] trimmed = new RateLimitRule[count];
      System.arraycopy(found, 0, trimmed, 0, count);
      found = trimmed;
    }
    sortByIndex(found);
    return found;
  }

  private static void sortByIndex(RateLimitRule[] found) {
    for (int i = 1; i < found.length; i++) {
      RateLimitRule current = found[i];
      int j = i - 1;
      while (j >= 0 && found[j].index() > current.index()) {
        found[j + 1] = found[j];
        j--;
      }
      found[j + 1] = current;
    }
  }
}
