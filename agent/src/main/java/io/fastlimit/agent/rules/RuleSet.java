package io.fastlimit.agent.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of one version of the rules file, indexed for matching: exact paths by one hash
 * lookup, patterns in a tree of their leading literal segments, so that a request only tries the
 * patterns whose literal start it shares (with a thousand {@code /api/vN/**} rules, one). Immutable;
 * a reload builds a new one and swaps it in whole.
 */
public final class RuleSet {

  private static final RateLimitRule[] NONE = new RateLimitRule[0];

  private final List<RateLimitRule> rules;
  private final Map<String, RateLimitRule[]> exact;
  private final Node patterns;

  /** A literal segment of pattern prefixes, with the patterns whose literal prefix ends here. */
  private static final class Node {
    RateLimitRule[] rules = NONE;
    // few children: compared in place, no substring; many: hashed
    String[] childNames = new String[0];
    Node[] children = new Node[0];
    Map<String, Node> childMap;

    Node child(String name, boolean create) {
      for (int i = 0; i < childNames.length; i++) {
        if (childNames[i].equals(name)) {
          return children[i];
        }
      }
      if (!create) {
        return null;
      }
      Node child = new Node();
      childNames = append(childNames, name);
      children = append(children, child);
      if (childNames.length > 8) {
        childMap = new HashMap<>();
        for (int i = 0; i < childNames.length; i++) {
          childMap.put(childNames[i], children[i]);
        }
      }
      return child;
    }

    /** The child for path[from, to), or null. */
    Node child(String path, int from, int to) {
      if (childMap != null) {
        return childMap.get(path.substring(from, to));
      }
      int length = to - from;
      for (int i = 0; i < childNames.length; i++) {
        String name = childNames[i];
        if (name.length() == length && path.regionMatches(from, name, 0, length)) {
          return children[i];
        }
      }
      return null;
    }
  }

  public RuleSet(List<RateLimitRule> rules) {
    this.rules = Collections.unmodifiableList(new ArrayList<>(rules));
    Map<String, List<RateLimitRule>> byPath = new HashMap<>();
    this.patterns = new Node();
    for (RateLimitRule rule : rules) {
      String path = rule.path().exactPath();
      if (path != null) {
        byPath.computeIfAbsent(path, k -> new ArrayList<>()).add(rule);
      } else {
        Node node = patterns;
        for (String segment : rule.path().literalPrefix()) {
          node = node.child(segment, true);
        }
        node.rules = append(node.rules, rule);
      }
    }
    this.exact = new HashMap<>();
    for (Map.Entry<String, List<RateLimitRule>> entry : byPath.entrySet()) {
      exact.put(entry.getKey(), entry.getValue().toArray(NONE));
    }
  }

  public List<RateLimitRule> rules() {
    return rules;
  }

  /**
   * The rules covering a request, in file order; an empty array when none does. The path is the
   * decoded path the application routes on; it is canonicalized here. The array may be shared:
   * callers must not modify it.
   */
  public RateLimitRule[] match(String method, String path) {
    String canonical = PathPattern.normalize(path);
    RateLimitRule[] found = NONE;
    int count = 0;
    RateLimitRule[] candidates = exact.get(canonical);
    if (candidates != null && patterns.childNames.length == 0 && patterns.rules.length == 0) {
      // only exact rules exist: the stored array is the answer when every rule takes the method
      boolean all = true;
      for (RateLimitRule rule : candidates) {
        all &= rule.coversMethod(method);
      }
      if (all) {
        return candidates;
      }
    }
    if (candidates != null) {
      for (RateLimitRule rule : candidates) {
        if (rule.coversMethod(method)) {
          found = add(found, count++, rule);
        }
      }
    }
    // walk the literal-prefix tree along the path's segments, trying the patterns met; a
    // pattern at depth d has its d literal segments already compared on the way down
    Node node = patterns;
    int position = 1;
    int depth = 0;
    int length = canonical.length();
    while (node != null) {
      for (RateLimitRule rule : node.rules) {
        if (rule.coversMethod(method) && rule.path().matchesAfter(canonical, depth, position)) {
          found = add(found, count++, rule);
        }
      }
      if (position >= length || node.childNames.length == 0) {
        break;
      }
      int end = canonical.indexOf('/', position);
      if (end < 0) {
        end = length;
      }
      node = node.child(canonical, position, end);
      position = end + 1;
      depth++;
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

  private static RateLimitRule[] add(RateLimitRule[] found, int count, RateLimitRule rule) {
    if (count == found.length) {
      RateLimitRule[] grown = new RateLimitRule[count == 0 ? 1 : count * 2];
      System.arraycopy(found, 0, grown, 0, count);
      found = grown;
    }
    found[count] = rule;
    return found;
  }

  private static <T> T[] append(T[] array, T element) {
    T[] grown = java.util.Arrays.copyOf(array, array.length + 1);
    grown[array.length] = element;
    return grown;
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
