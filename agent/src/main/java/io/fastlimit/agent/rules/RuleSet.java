package io.fastlimit.agent.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of one version of the rules file, indexed for matching: exact paths by one hash lookup,
 * patterns in a tree of their leading literal segments, so that a request only tries the patterns
 * whose literal start it shares (with a thousand {@code /api/vN/**} rules, one). Immutable; a
 * reload builds a new one and swaps it in whole.
 */
public final class RuleSet {

  private static final RateLimitRule[] NONE = new RateLimitRule[0];

  private final List<RateLimitRule> rules;
  private final Map<String, RateLimitRule[]> exact;

  /**
   * Bit n set when an exact path is n characters long (bit 63: 63 or more), so that most requests
   * skip hashing their whole path, a fresh string each time, for the exact lookup.
   */
  private final long exactLengths;

  private final Node patterns;

  /** By rule index: an array of that rule alone, the answer when a request matches one rule. */
  private final RateLimitRule[][] alone;

  /** A literal segment of pattern prefixes, with the patterns whose literal prefix ends here. */
  private static final class Node {
    private static final int COMPARED_IN_PLACE = 8;

    RateLimitRule[] rules = NONE;

    /** Length of this node's own segment name (0 for the root). */
    final int nameLength;

    String[] childNames = new String[0];
    Node[] children = new Node[0];

    /**
     * With more than a few children, an open-addressing table of them by the String hash of their
     * name (slot holds child index + 1, 0 is empty; at most half full), so that a lookup hashes the
     * path's segment where it lies instead of cutting a substring out of it.
     */
    int[] table;

    /** 32 - log2(table length): the hash bits that pick a slot. */
    int shift;

    Node(int nameLength) {
      this.nameLength = nameLength;
    }

    Node child(String name) {
      for (int i = 0; i < childNames.length; i++) {
        if (childNames[i].equals(name)) {
          return children[i];
        }
      }
      Node child = new Node(name.length());
      childNames = append(childNames, name);
      children = append(children, child);
      return child;
    }

    /** Builds the lookup tables of this node and those below, once every pattern is in. */
    void seal() {
      if (childNames.length > COMPARED_IN_PLACE) {
        table = new int[Integer.highestOneBit(childNames.length * 2) << 1];
        shift = 32 - Integer.numberOfTrailingZeros(table.length);
        int mask = table.length - 1;
        for (int i = 0; i < childNames.length; i++) {
          int slot = slot(childNames[i].hashCode());
          while (table[slot] != 0) {
            slot = (slot + 1) & mask;
          }
          table[slot] = i + 1;
        }
      }
      for (Node child : children) {
        child.seal();
      }
    }

    /**
     * The child named as the path's segment that starts at {@code from} (up to the next slash or
     * the end), or null. With a few children each name is compared where the segment lies, so the
     * segment's end is not searched for first.
     */
    Node child(String path, int from) {
      if (table == null) {
        for (int i = 0; i < childNames.length; i++) {
          String name = childNames[i];
          int end = from + name.length();
          if (path.startsWith(name, from) && (end == path.length() || path.charAt(end) == '/')) {
            return children[i];
          }
        }
        return null;
      }
      int to = path.indexOf('/', from);
      if (to < 0) {
        to = path.length();
      }
      int length = to - from;
      int hash = 0;
      for (int i = from; i < to; i++) {
        hash = 31 * hash + path.charAt(i); // String.hashCode of the segment
      }
      int mask = table.length - 1;
      for (int slot = slot(hash); table[slot] != 0; slot = (slot + 1) & mask) {
        if (named(table[slot] - 1, path, from, length)) {
          return children[table[slot] - 1];
        }
      }
      return null;
    }

    private boolean named(int child, String path, int from, int length) {
      String name = childNames[child];
      return name.length() == length && path.regionMatches(from, name, 0, length);
    }

    /**
     * Fibonacci hashing: the top bits of hash x 2^32/phi. Segment names such as v1 ... v999 have
     * nearly consecutive String hashes, which would pile up in long runs under linear probing if
     * the low bits picked the slot.
     */
    private int slot(int hash) {
      return (hash * 0x9E3779B9) >>> shift;
    }
  }

  public RuleSet(List<RateLimitRule> rules) {
    this.rules = Collections.unmodifiableList(new ArrayList<>(rules));
    Map<String, List<RateLimitRule>> byPath = new HashMap<>();
    this.patterns = new Node(0);
    for (RateLimitRule rule : rules) {
      String path = rule.path().exactPath();
      if (path != null) {
        byPath.computeIfAbsent(path, k -> new ArrayList<>()).add(rule);
      } else {
        Node node = patterns;
        for (String segment : rule.path().literalPrefix()) {
          node = node.child(segment);
        }
        node.rules = append(node.rules, rule);
      }
    }
    patterns.seal();
    int maxIndex = -1;
    for (RateLimitRule rule : rules) {
      maxIndex = Math.max(maxIndex, rule.index());
    }
    this.alone = new RateLimitRule[maxIndex + 1][];
    for (RateLimitRule rule : rules) {
      alone[rule.index()] = new RateLimitRule[] {rule};
    }
    this.exact = new HashMap<>();
    long lengths = 0;
    for (Map.Entry<String, List<RateLimitRule>> entry : byPath.entrySet()) {
      exact.put(entry.getKey(), entry.getValue().toArray(NONE));
      lengths |= lengthBit(entry.getKey());
    }
    this.exactLengths = lengths;
  }

  public List<RateLimitRule> rules() {
    return rules;
  }

  /**
   * The rules covering a request, in file order; an empty array when none does. The path is the
   * decoded path the application routes on; it is canonicalized here. A path with dot segments
   * (which Undertow leaves in) matches both as given and resolved ({@link RequestPath}): the
   * application may route on either, so neither may slip past a rule. The array may be shared:
   * callers must not modify it.
   */
  public RateLimitRule[] match(String method, String path) {
    RateLimitRule[] found = matchSpelled(method, path);
    int slash = encodedSlash(path, 0);
    return slash < 0 ? found : union(found, matchSpelled(method, decodeSlashes(path, slash)));
  }

  /**
   * Where the next encoded slash ({@code %2F} or {@code %2f}) starts, or -1. A path may still hold
   * one: the servers without a servlet API keep it encoded (Vert.x web and Spring's PathPattern
   * route {@code /reports/a%2Fb} as one segment), Undertow keeps it as sent. The rules match such a
   * path as given and with the slashes decoded, so a framework routing on either is covered.
   */
  private static int encodedSlash(String path, int from) {
    int at = path.indexOf('%', from);
    while (at >= 0 && at + 2 < path.length()) {
      if (path.charAt(at + 1) == '2' && (path.charAt(at + 2) | 0x20) == 'f') {
        return at;
      }
      at = path.indexOf('%', at + 1);
    }
    return -1;
  }

  private static String decodeSlashes(String path, int first) {
    StringBuilder out = new StringBuilder(path.length());
    int from = 0;
    for (int at = first; at >= 0; at = encodedSlash(path, from)) {
      out.append(path, from, at).append('/');
      from = at + 3;
    }
    return out.append(path, from, path.length()).toString();
  }

  private RateLimitRule[] matchSpelled(String method, String path) {
    String canonical = PathPattern.normalize(path);
    RateLimitRule[] found = matchCanonical(method, canonical);
    String resolved = RequestPath.withoutDotSegments(canonical);
    return resolved == canonical ? found : union(found, matchCanonical(method, resolved));
  }

  /**
   * The common case kept small enough for the JIT to inline into the decision (issue 15): no exact
   * rule has the path's length, and the walk meets one pattern that matches, or none. Anything
   * else, an exact candidate or a second match, goes to {@link #matchAll}, which walks again and
   * collects every rule; a request matched by several rules pays arrays there anyway.
   */
  private RateLimitRule[] matchCanonical(String method, String canonical) {
    if ((exactLengths & lengthBit(canonical)) != 0) {
      return matchAll(method, canonical);
    }
    RateLimitRule first = null;
    Node node = patterns;
    int position = 1;
    int depth = 0;
    int length = canonical.length();
    while (true) {
      for (RateLimitRule rule : node.rules) {
        if (rule.coversMethod(method) && rule.path().matchesAfter(canonical, depth, position)) {
          if (first != null) {
            return matchAll(method, canonical);
          }
          first = rule;
        }
      }
      if (position >= length || node.childNames.length == 0) {
        break;
      }
      node = node.child(canonical, position);
      if (node == null) {
        break;
      }
      position += node.nameLength + 1; // past the segment and its slash
      depth++;
    }
    return first == null ? NONE : alone[first.index()];
  }

  /** Every rule covering a canonical path, exact ones included, in file order. */
  private RateLimitRule[] matchAll(String method, String canonical) {
    RateLimitRule[] found = NONE;
    int count = 0;
    RateLimitRule[] candidates =
        (exactLengths & lengthBit(canonical)) == 0 ? null : exact.get(canonical);
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
      node = node.child(canonical, position);
      if (node != null) {
        position += node.nameLength + 1; // past the segment and its slash
      }
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

  /** The rules of two matches of one request, each in file order, without duplicates. */
  private static RateLimitRule[] union(RateLimitRule[] first, RateLimitRule[] second) {
    if (second.length == 0) {
      return first;
    }
    if (first.length == 0) {
      return second;
    }
    RateLimitRule[] merged = new RateLimitRule[first.length + second.length];
    int count = 0;
    int i = 0;
    int j = 0;
    while (i < first.length || j < second.length) {
      RateLimitRule next;
      if (j == second.length || (i < first.length && first[i].index() <= second[j].index())) {
        next = first[i++];
      } else {
        next = second[j++];
      }
      if (count == 0 || merged[count - 1].index() != next.index()) {
        merged[count++] = next;
      }
    }
    if (count == first.length) {
      return first; // the resolved path matched nothing new
    }
    return java.util.Arrays.copyOf(merged, count);
  }

  /**
   * Appends a match. The first comes back as the rule's shared one-element array, so that the
   * common single match allocates nothing; a second copies it (count equals its length), so the
   * shared array is never written.
   */
  private RateLimitRule[] add(RateLimitRule[] found, int count, RateLimitRule rule) {
    if (count == 0) {
      return alone[rule.index()];
    }
    if (count == found.length) {
      RateLimitRule[] grown = new RateLimitRule[count * 2];
      System.arraycopy(found, 0, grown, 0, count);
      found = grown;
    }
    found[count] = rule;
    return found;
  }

  private static long lengthBit(String path) {
    return 1L << Math.min(path.length(), 63);
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
