package io.fastlimit.agent.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.RequestTarget;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An encoded slash on the servers without a servlet API (Reactor Netty, Vert.x, Micronaut): Vert.x
 * web routes {@code /reports/a%2Fb} to {@code /reports/:id} (id {@code a/b}) and Spring's
 * PathPattern matches it with {@code /reports/{id}} and {@code /reports/*}: one segment. Decoded to
 * a slash it would be two segments to the rules, and a one-segment or glob rule would not cover the
 * request that the protected handler answers.
 */
class EncodedSlashTest {

  private final List<RateLimitRule> rules = new ArrayList<>();

  private RateLimitRule rule(String path) {
    RateLimitRule rule =
        new RateLimitRule(
            rules.size(),
            "r" + rules.size(),
            PathPattern.compile(path),
            null,
            Rate.parse("10/min"),
            null,
            1,
            Algorithm.SLIDING_WINDOW,
            false,
            false);
    rules.add(rule);
    return rule;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "/reports/a%2Fb",
        "/reports/a%2fb",
        "/reports/%2F",
        "/reports/a%2F..%2Fb",
        "/reports/..%2F..%2Fq",
      })
  void aOneSegmentRuleCoversAnEncodedSlashInItsSegment(String target) {
    RateLimitRule reports = rule("/reports/*");
    RuleSet set = new RuleSet(rules);

    assertThat(set.match("GET", RequestTarget.path(target))).containsExactly(reports);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/users/a%2Fb/orders", "/files/a%2Fb.pdf"})
  void aRuleWithAWildcardInsideCoversAnEncodedSlashInItsSegment(String target) {
    RateLimitRule orders = rule("/users/*/orders");
    RateLimitRule pdf = rule("/files/*.pdf");
    RuleSet set = new RuleSet(rules);

    assertThat(set.match("GET", RequestTarget.path(target))).containsAnyOf(orders, pdf);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"/api%2Fsecret", "/api%2fsecret", "/api/secret%2F", "/x%2F..%2Fapi/secret"})
  void aPathThatDecodesToTheRulesPathStaysCovered(String target) {
    RateLimitRule secret = rule("/api/secret");
    RuleSet set = new RuleSet(rules);

    // a framework that decodes the slash before routing would run the /api/secret handler
    assertThat(set.match("GET", RequestTarget.path(target))).containsExactly(secret);
  }
}
