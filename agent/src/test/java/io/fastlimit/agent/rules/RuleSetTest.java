package io.fastlimit.agent.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.RequestTarget;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RuleSetTest {

  private final List<RateLimitRule> rules = new ArrayList<>();

  private RateLimitRule rule(String name, String path, String... methods) {
    RateLimitRule rule =
        new RateLimitRule(
            rules.size(),
            name,
            PathPattern.compile(path),
            methods.length == 0 ? null : methods,
            Rate.parse("10/min"),
            null,
            1,
            Algorithm.SLIDING_WINDOW,
            false,
            false);
    rules.add(rule);
    return rule;
  }

  private RuleSet ruleSet() {
    return new RuleSet(rules);
  }

  @Test
  void unmatchedPathGetsAnEmptyArray() {
    rule("login", "/login");
    rule("api", "/api/**");

    assertThat(ruleSet().match("GET", "/other")).isEmpty();
    assertThat(ruleSet().match("GET", "/")).isEmpty();
  }

  @Test
  void exactRuleMatchesItsPathInAnySpelling() {
    RateLimitRule login = rule("login", "/login");
    RuleSet set = ruleSet();

    assertThat(set.match("POST", "/login")).containsExactly(login);
    assertThat(set.match("POST", "/login/")).containsExactly(login);
    assertThat(set.match("POST", "//login")).containsExactly(login);
    assertThat(set.match("POST", "/login/x")).isEmpty();
  }

  @Test
  void ruleWithMethodsCoversOnlyThoseMethods() {
    RateLimitRule upload = rule("upload", "/upload", "POST", "PUT");
    RuleSet set = ruleSet();

    assertThat(set.match("POST", "/upload")).containsExactly(upload);
    assertThat(set.match("PUT", "/upload")).containsExactly(upload);
    assertThat(set.match("GET", "/upload")).isEmpty();
    assertThat(set.match("HEAD", "/upload")).isEmpty();
  }

  @Test
  void getRuleAlsoCoversHead() {
    RateLimitRule exact = rule("report", "/report", "GET");
    RateLimitRule pattern = rule("files", "/files/**", "GET");
    RuleSet set = ruleSet();

    assertThat(set.match("HEAD", "/report")).containsExactly(exact);
    assertThat(set.match("HEAD", "/files/a")).containsExactly(pattern);
    assertThat(exact.coversMethod("OPTIONS")).isFalse();
  }

  @Test
  void headRuleDoesNotCoverGet() {
    RateLimitRule head = rule("head", "/h", "HEAD");

    assertThat(head.coversMethod("GET")).isFalse();
    assertThat(ruleSet().match("GET", "/h")).isEmpty();
  }

  @Test
  void ruleWithoutMethodsCoversEveryMethod() {
    RateLimitRule any = rule("any", "/x");

    assertThat(ruleSet().match("DELETE", "/x")).containsExactly(any);
    assertThat(ruleSet().match("PATCH", "/x")).containsExactly(any);
  }

  @Test
  void matchingRulesComeInFileOrderWhateverTheirKind() {
    RateLimitRule all = rule("all", "/**");
    RateLimitRule login = rule("login", "/api/login");
    RateLimitRule api = rule("api", "/api/*");
    RateLimitRule loginPost = rule("login-post", "/api/login", "POST");
    rule("other", "/other");

    assertThat(ruleSet().match("POST", "/api/login")).containsExactly(all, login, api, loginPost);
    assertThat(ruleSet().match("GET", "/api/login")).containsExactly(all, login, api);
  }

  @Test
  void patternRulesAloneComeInFileOrder() {
    RateLimitRule second = rule("b", "/a/**");
    RateLimitRule first = rule("a", "/a/*");

    assertThat(ruleSet().match("GET", "/a/x")).containsExactly(second, first);
  }

  @Test
  void aSecondPatternMetDeeperInTheWalkJoinsTheFirstInFileOrder() {
    RateLimitRule deep = rule("deep", "/a/b/**");
    RateLimitRule shallow = rule("shallow", "/a/**");
    rule("other", "/c/**");

    assertThat(ruleSet().match("GET", "/a/b/c")).containsExactly(deep, shallow);
    assertThat(ruleSet().match("GET", "/a/x")).containsExactly(shallow);
    assertThat(ruleSet().match("GET", "/c"))
        .extracting(RateLimitRule::name)
        .containsExactly("other");
  }

  @Test
  void exactRuleWhoseMethodDoesNotCoverTheRequestStillLetsPatternsMatch() {
    rule("login-post", "/login", "POST");
    RateLimitRule all = rule("all", "/**", "GET");

    assertThat(ruleSet().match("GET", "/login")).containsExactly(all);
  }

  @Test
  void rulesListKeepsFileOrderAndCannotBeChanged() {
    rule("a", "/a");
    rule("b", "/b/**");
    RuleSet set = ruleSet();

    assertThat(set.rules()).extracting(RateLimitRule::name).containsExactly("a", "b");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> set.rules().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void dotSegmentsTheContainerLeftInAreResolvedBeforeMatching() {
    // Undertow hands /api/./secret and /api/x/../secret to the servlet as sent
    RateLimitRule secret = rule("secret", "/api/secret");
    RateLimitRule reports = rule("reports", "/reports/*");
    RuleSet set = ruleSet();

    assertThat(set.match("GET", "/api/./secret")).containsExactly(secret);
    assertThat(set.match("GET", "/api/x/../secret")).containsExactly(secret);
    assertThat(set.match("GET", "/api/secret/.")).containsExactly(secret);
    assertThat(set.match("GET", "/reports/./q1")).containsExactly(reports);
    assertThat(set.match("GET", "/reports/x/../q1")).containsExactly(reports);
    assertThat(set.match("GET", "/../reports/q1")).containsExactly(reports);
  }

  @Test
  void aPathWithDotSegmentsAlsoMatchesAsTheContainerGaveIt() {
    // Undertow routes /admin/.. to the /admin/* servlet: resolving alone would give "/", which
    // no rule covers, and open a way around the rule
    RateLimitRule admin = rule("admin", "/admin/**");
    RateLimitRule reports = rule("reports", "/reports/*");
    RateLimitRule root = rule("root", "/");
    RuleSet set = ruleSet();

    assertThat(set.match("GET", "/admin/..")).containsExactly(admin, root);
    assertThat(set.match("GET", "/reports/..")).containsExactly(reports, root);
    assertThat(set.match("GET", "/api/../admin/x")).containsExactly(admin);
    assertThat(set.match("GET", "/admin/x/../y")).containsExactly(admin);
  }

  // An encoded slash on the servers without a servlet API (Reactor Netty, Vert.x, Micronaut):
  // Vert.x
  // web routes {@code /reports/a%2Fb} to {@code /reports/:id} (id {@code a/b}) and Spring's
  // PathPattern matches it with {@code /reports/{id}} and {@code /reports/*}: one segment. Decoded
  // to
  // a slash it would be two segments to the rules, and a one-segment or glob rule would not cover
  // the
  // request that the protected handler answers.

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
    RateLimitRule reports = rule("reports", "/reports/*");
    RuleSet set = new RuleSet(rules);

    assertThat(set.match("GET", RequestTarget.path(target))).containsExactly(reports);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/users/a%2Fb/orders", "/files/a%2Fb.pdf"})
  void aRuleWithAWildcardInsideCoversAnEncodedSlashInItsSegment(String target) {
    RateLimitRule orders = rule("orders", "/users/*/orders");
    RateLimitRule pdf = rule("pdf", "/files/*.pdf");
    RuleSet set = new RuleSet(rules);

    assertThat(set.match("GET", RequestTarget.path(target))).containsAnyOf(orders, pdf);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"/api%2Fsecret", "/api%2fsecret", "/api/secret%2F", "/x%2F..%2Fapi/secret"})
  void aPathThatDecodesToTheRulesPathStaysCovered(String target) {
    RateLimitRule secret = rule("secret", "/api/secret");
    RuleSet set = new RuleSet(rules);

    // a framework that decodes the slash before routing would run the /api/secret handler
    assertThat(set.match("GET", RequestTarget.path(target))).containsExactly(secret);
  }
}
