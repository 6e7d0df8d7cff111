package io.fastlimit.agent.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The prefix index finds exactly the rules a plain scan of every rule would. */
class RuleSetIndexTest {

  /** A rule of 1/s with nothing else set: only its index, name, path and methods matter here. */
  private static RateLimitRule rule(int index, String name, PathPattern path, String[] methods) {
    return new RateLimitRule(
        index,
        name,
        path,
        methods,
        Rate.parse("1/s"),
        null,
        1,
        Algorithm.FIXED_WINDOW,
        false,
        false);
  }

  private static final String[] SEGMENTS = {"api", "v1", "v2", "users", "*", "**", "a?c", "*.json"};

  /** With segments that a rule's literal starts or ends with ("v10", "us"): no half matches. */
  private static final String[] PATH_SEGMENTS = {
    "api", "v1", "v2", "users", "abc", "x.json", "42", "v10", "apiv1", "us"
  };

  @Test
  void indexedMatchEqualsAScanOfEveryRule() {
    Random random = new Random(20261127);
    for (int round = 0; round < 300; round++) {
      List<RateLimitRule> rules = new ArrayList<>();
      int ruleCount = 1 + random.nextInt(40);
      for (int i = 0; i < ruleCount; i++) {
        StringBuilder pattern = new StringBuilder();
        int depth = random.nextInt(4);
        for (int d = 0; d < depth; d++) {
          pattern.append('/').append(SEGMENTS[random.nextInt(SEGMENTS.length)]);
        }
        String text = pattern.length() == 0 ? "/" : pattern.toString();
        PathPattern path;
        try {
          path = PathPattern.compile(text);
        } catch (IllegalArgumentException e) {
          continue;
        }
        String[] methods = random.nextBoolean() ? null : new String[] {"POST"};
        rules.add(rule(rules.size(), "r" + i, path, methods));
      }
      RuleSet set = new RuleSet(rules);
      for (int p = 0; p < 50; p++) {
        StringBuilder path = new StringBuilder();
        int depth = random.nextInt(5);
        for (int d = 0; d < depth; d++) {
          path.append(random.nextInt(8) == 0 ? "//" : "/")
              .append(PATH_SEGMENTS[random.nextInt(PATH_SEGMENTS.length)]);
        }
        if (random.nextInt(6) == 0) {
          path.append('/');
        }
        String requestPath = path.length() == 0 ? "/" : path.toString();
        String method = random.nextBoolean() ? "GET" : "POST";
        List<RateLimitRule> scanned = new ArrayList<>();
        for (RateLimitRule rule : rules) {
          if (rule.coversMethod(method)
              && rule.path().matches(PathPattern.normalize(requestPath))) {
            scanned.add(rule);
          }
        }
        assertThat(set.match(method, requestPath))
            .as("%s %s in %s", method, requestPath, rules)
            .containsExactlyElementsOf(scanned);
      }
    }
  }

  @Test
  void aThousandSiblingPatternsTryOnlyTheOnesSharingThePathsLiteralStart() {
    List<RateLimitRule> rules = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rules.add(rule(i, "v" + i, PathPattern.compile("/api/v" + i + "/**"), null));
    }
    RuleSet set = new RuleSet(rules);
    assertThat(set.match("GET", "/api/v999/orders/42"))
        .extracting(RateLimitRule::name)
        .containsExactly("v999");
    assertThat(set.match("GET", "/api/v1000/orders")).isEmpty();
    assertThat(set.match("GET", "/api/v7")).extracting(RateLimitRule::name).containsExactly("v7");
  }

  @Test
  void manySiblingsAreFoundByTheirHashEvenWhenHashesCollide() {
    // "Aa" and "BB" share a String hash, and so do all their concatenations
    List<String> names = new ArrayList<>();
    for (String a : new String[] {"Aa", "BB"}) {
      for (String b : new String[] {"Aa", "BB"}) {
        for (String c : new String[] {"Aa", "BB"}) {
          names.add(a + b + c);
        }
      }
    }
    for (int i = 0; i < 100; i++) {
      names.add("s" + i);
    }
    List<RateLimitRule> rules = new ArrayList<>();
    for (String name : names) {
      rules.add(rule(rules.size(), name, PathPattern.compile("/x/" + name + "/**"), null));
    }
    RuleSet set = new RuleSet(rules);
    for (String name : names) {
      assertThat(set.match("GET", "/x/" + name + "/y"))
          .extracting(RateLimitRule::name)
          .containsExactly(name);
    }
    // same hash as the stored names, or no name at all: no match
    assertThat(set.match("GET", "/x/AaAaAaAa/y")).isEmpty();
    assertThat(set.match("GET", "/x/BBBBBBBB/y")).isEmpty();
    assertThat(set.match("GET", "/x/s100/y")).isEmpty();
    assertThat(set.match("GET", "/x//y")).isEmpty();
  }

  @Test
  void exactPathsOfEveryLengthAreFound() {
    List<RateLimitRule> rules = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (int length : new int[] {1, 2, 10, 62, 63, 64, 65, 200}) {
      StringBuilder path = new StringBuilder("/");
      while (path.length() < length) {
        path.append((char) ('a' + path.length() % 26));
      }
      paths.add(path.toString());
      rules.add(rule(rules.size(), "len" + length, PathPattern.compile(path.toString()), null));
    }
    RuleSet set = new RuleSet(rules);
    for (int i = 0; i < paths.size(); i++) {
      String path = paths.get(i);
      assertThat(set.match("GET", path)).containsExactly(rules.get(i));
      assertThat(set.match("GET", path + "/")).as("trailing slash").containsExactly(rules.get(i));
      if (path.length() > 1) {
        String other = path.substring(0, path.length() - 1) + "Z";
        assertThat(set.match("GET", other)).as(other).isEmpty();
      }
    }
  }
}
