package io.fastlimit.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fastlimit.agent.rules.Rate;
import io.fastlimit.agent.rules.RateLimitRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserIdSectionTest {

  private static final String FILE = "rules.yaml";
  private static final String SECRET = "s3cr3t-0123456789-0123456789-0123456789";
  private static final String RULE =
      "rules:\n  - path: /api/**\n    ip: 60/min\n    user: 600/min\n";

  private static AgentConfig load(String yaml, Map<String, String> env) throws ConfigException {
    return ConfigLoader.parse(yaml, FILE, env::get);
  }

  private static List<ConfigProblem> problems(String yaml, Map<String, String> env) {
    ConfigException failure =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, FILE, env::get));
    assertThat(failure).as("a problem is reported").isNotNull();
    return failure.problems();
  }

  private static ConfigProblem problem(String yaml) {
    List<ConfigProblem> problems = problems(yaml, Map.of());
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }

  private static void assertAt(ConfigProblem problem, int line, int column) {
    assertThat(problem.file()).isEqualTo(FILE);
    assertThat(problem.line()).as("line of: %s", problem).isEqualTo(line);
    assertThat(problem.column()).as("column of: %s", problem).isEqualTo(column);
  }

  @Test
  void anApiKeyHeaderReplacesTheAttribute() throws ConfigException {
    AgentConfig config = load("user-id:\n  header: X-Api-Key\n" + RULE, Map.of());

    assertThat(config.clientIdentity()).isNotNull();
    assertThat(config.clientIdentity().describe("the entry point's user"))
        .as("reads its own user id")
        .doesNotContain("the entry point's user");
    assertThat(config.userIdAttribute()).isNull();
    assertThat(config.userIdFromPrincipal()).isFalse();
  }

  @Test
  void withoutApiSourcesNothingChanges() throws ConfigException {
    AgentConfig config = load(RULE, Map.of());

    assertThat(config.clientIdentity()).isNull();
    assertThat(config.userIdAttribute()).isEqualTo("user_id");
  }

  @Test
  void aJwtWithASecretFromTheEnvironmentLoads() throws ConfigException {
    AgentConfig config =
        load(
            "user-id:\n  jwt:\n    header: Authorization\n    claim: sub\n"
                + "    hmac-secret: ${JWT_SECRET}\n    issuer: https://auth.example.com\n"
                + "plan-from: claim:plan\n"
                + RULE,
            Map.of("JWT_SECRET", SECRET));

    assertThat(config.clientIdentity().describe())
        .contains("claim sub", "Authorization", "an HMAC secret", "plan from claim:plan")
        .doesNotContain(SECRET);
  }

  @Test
  void twoSourcesOfTheUserIdAreRefusedAtTheFirst() {
    ConfigProblem problem =
        problem("user-id:\n  header: X-Api-Key\n  jwt:\n    hmac-secret: " + SECRET + "\n" + RULE);

    assertAt(problem, 2, 11);
    assertThat(problem.message())
        .contains("'header' and 'jwt' exclude each other")
        .doesNotContain(SECRET);
  }

  @Test
  void attributeAndHeaderAreRefused() {
    ConfigProblem problem = problem("user-id:\n  attribute: uid\n  header: X-Api-Key\n" + RULE);

    assertAt(problem, 2, 14);
    assertThat(problem.message()).contains("'attribute' and 'header' exclude each other");
  }

  @Test
  void principalFalseIsNoSource() throws ConfigException {
    AgentConfig config =
        load("user-id:\n  principal: false\n  header: X-Api-Key\n" + RULE, Map.of());

    assertThat(config.clientIdentity().describe("the entry point's user"))
        .as("reads its own user id")
        .doesNotContain("the entry point's user");
  }

  @Test
  void aShortSecretIsRefusedWithoutShowingIt() {
    List<ConfigProblem> problems =
        problems(
            "user-id:\n  jwt:\n    hmac-secret: ${JWT_SECRET}\n" + RULE,
            Map.of("JWT_SECRET", "tiny-secret"));

    assertThat(problems).hasSize(1);
    assertAt(problems.get(0), 3, 18);
    assertThat(problems.get(0).message()).contains("at least 32 bytes").doesNotContain("tiny");
  }

  @Test
  void aJwtNeedsExactlyOneKindOfKey() {
    ConfigProblem neither = problem("user-id:\n  jwt:\n    claim: sub\n" + RULE);
    assertAt(neither, 3, 5);
    assertThat(neither.message()).contains("hmac-secret", "jwks-file");

    ConfigProblem both =
        problem(
            "user-id:\n  jwt:\n    hmac-secret: " + SECRET + "\n    jwks-file: k.json\n" + RULE);
    assertAt(both, 4, 16);
    assertThat(both.message()).contains("exclude each other").doesNotContain(SECRET);
  }

  @Test
  void aJwksFileIsReadBesideTheRulesFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("jwks.json"), "{\"keys\": []}");
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(rules, "user-id:\n  jwt:\n    jwks-file: jwks.json\n" + RULE);

    ConfigException failure =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(rules));

    assertThat(failure.problems()).hasSize(1);
    assertThat(failure.problems().get(0).message()).contains("has no RSA or EC key");
    assertThat(failure.problems().get(0).line()).isEqualTo(3);
  }

  @Test
  void anApiKeyOrJwtUserFitsEveryStageButAnAttributeUserOnlyTheServlet() throws ConfigException {
    String filtersRule = "rules:\n  - path: /api/**\n    stage: filters\n    user: 5/min\n";
    AgentConfig byKey = load("user-id:\n  header: X-Api-Key\n" + filtersRule, Map.of());
    assertThat(byKey.rules().rules().get(0).beforeFilters()).isTrue();

    ConfigProblem byAttribute = problem("user-id:\n  attribute: uid\n" + filtersRule);
    assertAt(byAttribute, 6, 11);
    assertThat(byAttribute.message()).contains("user-id: header or jwt");
  }

  @Test
  void aClaimPlanNeedsAJwt() {
    ConfigProblem problem =
        problem("user-id:\n  header: X-Api-Key\nplan-from: claim:plan\n" + RULE);

    assertAt(problem, 3, 12);
    assertThat(problem.message()).contains("user-id has no jwt");
  }

  @Test
  void aBadPlanFromSaysWhatToWrite() {
    ConfigProblem problem = problem("plan-from: cookie:plan\n" + RULE);

    assertAt(problem, 1, 12);
    assertThat(problem.message()).contains("claim:NAME", "attribute:NAME", "header:NAME");
  }

  @Test
  void plansAndConcurrentAreReadPerRule() throws ConfigException {
    AgentConfig config =
        load(
            "plan-from: header:X-Plan\nrules:\n  - path: /api/**\n    user: 600/min\n"
                + "    plans:\n      free: 100/hour\n      pro: 10000/hour\n    concurrent: 4\n",
            Map.of());

    RateLimitRule rule = config.rules().rules().get(0);
    assertThat(rule.clientLimits().planRate("free")).isEqualTo(Rate.parse("100/hour"));
    assertThat(rule.clientLimits().planRate("pro")).isEqualTo(Rate.parse("10000/hour"));
    assertThat(rule.clientLimits().planRate("gold")).isNull();
    assertThat(rule.clientLimits().concurrent()).isEqualTo(4);
    assertThat(rule.describe()).contains("plan free=100/hour", "concurrent=4");
  }

  @Test
  void aRuleWithOnlyAConcurrencyCapIsValid() throws ConfigException {
    AgentConfig config = load("rules:\n  - path: /report\n    concurrent: 2\n", Map.of());

    assertThat(config.rules().rules().get(0).clientLimits().concurrent()).isEqualTo(2);
  }

  @Test
  void badPlansAndCapsAreReportedWhereTheyAre() {
    List<ConfigProblem> problems =
        problems(
            "rules:\n  - path: /api/**\n    user: 5/min\n    plans:\n      \"pro plan\": 10/min\n"
                + "      free: lots\n    concurrent: 0\n",
            Map.of());

    assertThat(problems).hasSize(3);
    assertAt(problems.get(0), 5, 7);
    assertThat(problems.get(0).message()).contains("invalid plan name 'pro plan'");
    assertAt(problems.get(1), 6, 13);
    assertThat(problems.get(1).message()).contains("invalid rate 'lots'");
    assertAt(problems.get(2), 7, 17);
    assertThat(problems.get(2).message()).contains("from 1 to");
  }
}
