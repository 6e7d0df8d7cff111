package io.fastlimit.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fastlimit.agent.rules.RateLimitRule;
import io.fastlimit.bootstrap.Stage;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleStageSettingTest {

  private static final String FILE = "rules.yaml";

  private static RateLimitRule onlyRule(String yaml) throws ConfigException {
    List<RateLimitRule> rules = ConfigLoader.parse(yaml, FILE, name -> null).rules().rules();
    assertThat(rules).hasSize(1);
    return rules.get(0);
  }

  private static ConfigProblem onlyProblem(String yaml) {
    ConfigException failure =
        catchThrowableOfType(
            ConfigException.class, () -> ConfigLoader.parse(yaml, FILE, name -> null));
    assertThat(failure).as("a problem is reported").isNotNull();
    assertThat(failure.problems()).hasSize(1);
    return failure.problems().get(0);
  }

  @Test
  void everyExplicitStageIsAccepted() throws Exception {
    for (Stage stage : new Stage[] {Stage.CONTAINER, Stage.FILTERS, Stage.SERVLET}) {
      String word = stage.name().toLowerCase(java.util.Locale.ROOT);
      RateLimitRule rule =
          onlyRule("rules:\n  - path: /login\n    stage: " + word + "\n    ip: 5/min\n");
      assertThat(rule.stage()).as(word).isEqualTo(stage);
      assertThat(rule.beforeFilters()).as(word).isEqualTo(stage == Stage.FILTERS);
    }
  }

  @Test
  void beforeFiltersIsTheOlderSpellingOfStageFilters() throws Exception {
    assertThat(
            onlyRule("rules:\n  - path: /login\n    before-filters: true\n    ip: 5/min\n").stage())
        .isEqualTo(Stage.FILTERS);
    assertThat(
            onlyRule(
                    "rules:\n  - path: /login\n    before-filters: true\n    stage: filters\n"
                        + "    ip: 5/min\n")
                .stage())
        .isEqualTo(Stage.FILTERS);
    assertThat(
            onlyRule(
                    "rules:\n  - path: /login\n    before-filters: false\n    stage: container\n"
                        + "    ip: 5/min\n")
                .stage())
        .isEqualTo(Stage.CONTAINER);
  }

  @Test
  void beforeFiltersDisagreeingWithStageIsAnErrorAtItsPosition() {
    ConfigProblem problem =
        onlyProblem(
            "rules:\n  - path: /login\n    stage: container\n    before-filters: true\n"
                + "    ip: 5/min\n");
    assertThat(problem.file()).isEqualTo(FILE);
    assertThat(problem.line()).isEqualTo(4);
    assertThat(problem.column()).isEqualTo(21);
    assertThat(problem.message())
        .contains("'before-filters: true' disagrees with 'stage: container'")
        .contains("write only 'stage: container'");
  }

  @Test
  void unknownStageNamesTheValidOnes() {
    ConfigProblem problem =
        onlyProblem("rules:\n  - path: /login\n    stage: valve\n    ip: 5/min\n");
    assertThat(problem.line()).isEqualTo(3);
    assertThat(problem.column()).isEqualTo(12);
    assertThat(problem.message())
        .contains("unknown stage 'valve'")
        .contains("container, filters, servlet");
  }

  @Test
  void aRuleBeforeTheUserIsKnownCannotLimitUsers() {
    for (String stage : new String[] {"container", "filters"}) {
      ConfigProblem problem =
          onlyProblem("rules:\n  - path: /api/**\n    stage: " + stage + "\n    user: 50/min\n");
      assertThat(problem.line()).as(stage).isEqualTo(4);
      assertThat(problem.message()).as(stage).contains("'stage: servlet'");
    }
  }

  @Test
  void byDefaultAContainerManagedFormLoginIsDecidedAtTheContainer() throws Exception {
    assertThat(
            onlyRule(
                    "rules:\n  - path: /examples/jsp/security/protected/j_security_check\n"
                        + "    methods: [POST]\n    ip: 5/min\n")
                .stage())
        .isEqualTo(Stage.CONTAINER);
    assertThat(onlyRule("rules:\n  - path: /**/j_security_check\n    ip: 5/min\n").stage())
        .isEqualTo(Stage.CONTAINER);
  }

  @Test
  void byDefaultEveryOtherRuleIsDecidedAtTheServlet() throws Exception {
    assertThat(onlyRule("rules:\n  - path: /login\n    ip: 5/min\n").stage())
        .isEqualTo(Stage.SERVLET);
    assertThat(
            onlyRule("rules:\n  - path: /app/j_security_check\n    user: 5/min\n    ip: 5/min\n")
                .stage())
        .isEqualTo(Stage.SERVLET);
  }
}
