package io.fastlimit.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fastlimit.agent.rules.LoginProtection;
import io.fastlimit.agent.rules.RateLimitRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The login keys of a rule: account, account-from, account-ignore-case, count, failure. */
class LoginSectionTest {

  private static RateLimitRule only(String yaml) throws ConfigException {
    List<RateLimitRule> rules =
        ConfigLoader.parse(yaml, "rules.yaml", name -> null).rules().rules();
    assertThat(rules).hasSize(1);
    return rules.get(0);
  }

  private static ConfigProblem problem(String yaml) {
    ConfigException failure =
        catchThrowableOfType(
            ConfigException.class, () -> ConfigLoader.parse(yaml, "rules.yaml", name -> null));
    assertThat(failure).as("a problem is reported").isNotNull();
    assertThat(failure.problems()).hasSize(1);
    return failure.problems().get(0);
  }

  @Test
  void readsTheIssuesContract() throws ConfigException {
    RateLimitRule rule =
        only(
            "rules:\n"
                + "  - name: form-login\n"
                + "    path: /examples/jsp/security/protected/j_security_check\n"
                + "    methods: [POST]\n"
                + "    ip: 10/min\n"
                + "    account: 5/15min\n"
                + "    account-from: form:j_username\n"
                + "    count: failures\n"
                + "    failure:\n"
                + "      status: [401, 403]\n"
                + "      redirect: [\"/login?error*\"]\n"
                + "      forward: [/error.jsp]\n"
                + "    algorithm: sliding-log\n");
    LoginProtection login = rule.login();
    assertThat(login.accountRate().limit()).isEqualTo(5);
    assertThat(login.accountRate().windowMillis()).isEqualTo(15 * 60_000L);
    assertThat(login.accountSource()).isEqualTo(LoginProtection.Source.FORM);
    assertThat(login.accountName()).isEqualTo("j_username");
    assertThat(login.accountIgnoreCase()).isTrue();
    assertThat(login.countFailuresOnly()).isTrue();
    assertThat(login.isFailure(401, null, null)).isTrue();
    assertThat(login.isFailure(200, null, null)).isFalse();
    assertThat(login.isFailure(302, "/login?error", null)).isTrue();
    assertThat(login.isFailure(302, "http://host:8080/login?error=1", null)).isTrue();
    assertThat(login.isFailure(302, "/", null)).isFalse();
    assertThat(login.isFailure(200, null, "/error.jsp")).isTrue();
    assertThat(login.isFailure(200, null, "/welcome.jsp")).isFalse();
    assertThat(rule.describe()).contains("account=5/15min", "count=failures");
  }

  @Test
  void failureDefaultsTo401And403AndEveryOtherAnswerIsASuccess() throws ConfigException {
    LoginProtection login =
        only("rules:\n  - path: /login\n    ip: 5/min\n    count: failures\n").login();
    assertThat(login.isFailure(401, null, null)).isTrue();
    assertThat(login.isFailure(403, null, null)).isTrue();
    assertThat(login.isFailure(302, "/login?error", null)).isFalse();
    assertThat(login.isFailure(200, null, "/error.jsp")).isFalse();
    assertThat(login.isFailure(0, null, null)).as("an end nobody saw counts").isTrue();
    assertThat(login.accountRate()).isNull();
  }

  @Test
  void aRuleWithoutLoginKeysCountsEveryAttempt() throws ConfigException {
    assertThat(only("rules:\n  - path: /login\n    ip: 5/min\n").login())
        .isSameAs(LoginProtection.NONE);
    assertThat(LoginProtection.NONE.countFailuresOnly()).isFalse();
  }

  @Test
  void everyAccountSourceIsRead() throws ConfigException {
    String rule = "rules:\n  - path: /login\n    ip: 5/min\n    account: 3/min\n    account-from: ";
    assertThat(only(rule + "query:user\n").login().accountSource())
        .isEqualTo(LoginProtection.Source.QUERY);
    assertThat(only(rule + "header:X-User\n").login().accountName()).isEqualTo("X-User");
    LoginProtection basic = only(rule + "basic-user\n").login();
    assertThat(basic.accountSource()).isEqualTo(LoginProtection.Source.BASIC_USER);
    assertThat(basic.accountName()).isNull();
  }

  @Test
  void accountsAreTrimmedAndCaseFoldedUnlessTheRuleComparesCase() throws ConfigException {
    String rule =
        "rules:\n  - path: /login\n    ip: 5/min\n    account: 3/min\n"
            + "    account-from: form:u\n";
    assertThat(only(rule).login().normalizeAccount("  Alice@Example.COM "))
        .isEqualTo("alice@example.com");
    assertThat(only(rule).login().normalizeAccount("   ")).isNull();
    LoginProtection exact = only(rule + "    account-ignore-case: false\n").login();
    assertThat(exact.accountIgnoreCase()).isFalse();
    assertThat(exact.normalizeAccount(" Alice ")).isEqualTo("Alice");
  }

  /**
   * MySQL's default collation (utf8mb4_0900_ai_ci) finds the user alice for each of these: as
   * separate buckets they were a way to rotate guesses at one account past its limit.
   */
  @Test
  void accountsAreFoldedAsAnAccentAndWidthInsensitiveDatabaseComparesThem() throws ConfigException {
    LoginProtection login =
        only("rules:\n  - path: /login\n    ip: 5/min\n    account: 3/min\n"
                + "    account-from: form:u\n")
            .login();
    for (String spelling :
        new String[] {
          "alice",
          "ALICE",
          "Alicé",
          "alíce",
          "alice\u0301",
          "\uFF41\uFF4C\uFF49\uFF43\uFF45",
          "ali\u200Bce",
          "\u00A0alice\u3000",
          "al\u0000ice",
          "alice\uDB40\uDC01",
          "alice\uDB40\uDD00",
          "alic\uD834\uDD67e",
          "alice\uD800",
        }) {
      assertThat(login.normalizeAccount(spelling)).as(spelling).isEqualTo("alice");
    }
    assertThat(login.normalizeAccount("\u0130")).as("I with a dot above").isEqualTo("i");
    assertThat(login.normalizeAccount("\u200B\u00A0")).as("nothing left").isNull();
    assertThat(login.normalizeAccount("bob")).isNotEqualTo(login.normalizeAccount("alice"));
    assertThat(login.normalizeAccount("用户")).isEqualTo("用户");
    LoginProtection exact =
        only("rules:\n  - path: /login\n    ip: 5/min\n    account: 3/min\n"
                + "    account-from: form:u\n    account-ignore-case: false\n")
            .login();
    assertThat(exact.normalizeAccount("Alicé")).as("a rule that compares case").isEqualTo("Alicé");
  }

  @Test
  void anUnknownAccountSourceNamesTheValidOnes() {
    ConfigProblem problem =
        problem(
            "rules:\n  - path: /login\n    ip: 5/min\n    account: 3/min\n"
                + "    account-from: cookie:user\n");
    assertThat(problem.line()).isEqualTo(5);
    assertThat(problem.column()).isEqualTo(19);
    assertThat(problem.message()).contains("cookie:user", "form:NAME", "basic-user");
  }

  @Test
  void aSourceWithoutItsNameIsAProblem() {
    ConfigProblem problem =
        problem(
            "rules:\n  - path: /login\n    ip: 5/min\n    account: 3/min\n"
                + "    account-from: 'form:'\n");
    assertThat(problem.line()).isEqualTo(5);
    assertThat(problem.message()).contains("form:j_username");
  }

  @Test
  void anAccountNeedsItsSourceAndTheOtherWayRound() {
    ConfigProblem noSource =
        problem("rules:\n  - path: /login\n    ip: 5/min\n    account: 3/min\n");
    assertThat(noSource.line()).isEqualTo(4);
    assertThat(noSource.message()).contains("account-from");
    ConfigProblem noRate =
        problem("rules:\n  - path: /login\n    ip: 5/min\n    account-from: basic-user\n");
    assertThat(noRate.line()).isEqualTo(4);
    assertThat(noRate.message()).contains("account: 5/15min");
  }

  @Test
  void aBadAccountRateIsAProblemAtItsPosition() {
    ConfigProblem problem =
        problem(
            "rules:\n  - path: /login\n    ip: 5/min\n    account: 5/fortnight\n"
                + "    account-from: basic-user\n");
    assertThat(problem.line()).isEqualTo(4);
    assertThat(problem.column()).isEqualTo(14);
    assertThat(problem.message()).contains("fortnight");
  }

  @Test
  void anUnknownCountNamesAllAndFailures() {
    ConfigProblem problem = problem("rules:\n  - path: /login\n    ip: 5/min\n    count: errors\n");
    assertThat(problem.line()).isEqualTo(4);
    assertThat(problem.column()).isEqualTo(12);
    assertThat(problem.message()).contains("errors", "all, failures");
  }

  @Test
  void failureWithoutCountFailuresIsAProblem() {
    ConfigProblem problem =
        problem("rules:\n  - path: /login\n    ip: 5/min\n    failure:\n      status: [401]\n");
    assertThat(problem.line()).isEqualTo(5);
    assertThat(problem.message()).contains("count: failures");
  }

  @Test
  void aStatusOutsideHttpIsAProblem() {
    ConfigProblem problem =
        problem(
            "rules:\n  - path: /login\n    ip: 5/min\n    count: failures\n"
                + "    failure:\n      status: [401, 4010]\n");
    assertThat(problem.line()).isEqualTo(6);
    assertThat(problem.column()).isEqualTo(21);
    assertThat(problem.message()).contains("100 to 599", "4010");
  }

  @Test
  void anUnknownFailureKeyIsAProblem() {
    ConfigProblem problem =
        problem(
            "rules:\n  - path: /login\n    ip: 5/min\n    count: failures\n"
                + "    failure:\n      statuses: [401]\n");
    assertThat(problem.line()).isEqualTo(6);
    assertThat(problem.message()).contains("statuses", "status");
  }

  @Test
  void aForwardIsAPath() {
    ConfigProblem problem =
        problem(
            "rules:\n  - path: /login\n    ip: 5/min\n    count: failures\n"
                + "    failure:\n      forward: [error.jsp]\n");
    assertThat(problem.line()).isEqualTo(6);
    assertThat(problem.message()).contains("error.jsp", "starting with /");
  }

  @Test
  void aSlidingLogAccountLimitIsBounded() {
    ConfigProblem problem =
        problem(
            "rules:\n  - path: /login\n    ip: 5/min\n    account: 5000/day\n"
                + "    account-from: basic-user\n    algorithm: sliding-log\n");
    assertThat(problem.line()).isEqualTo(4);
    assertThat(problem.message()).contains("sliding-window");
  }
}
