package io.fastlimit.agent.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import org.junit.jupiter.api.Test;

/** Rules of stage container are decided at the front door alone, each once per request. */
class ContainerStageTest {

  private static final String PEER = "203.0.113.10";

  private static ActiveRules rules(String yaml) throws Exception {
    RateLimiter limiter =
        new RateLimiter(
            ConfigLoader.parse(yaml, "rules.yaml", name -> null),
            new MemoryBackend(() -> 1_700_000_000_000L, 1000),
            new Stats());
    return new LimiterBridge(limiter).rules();
  }

  private static Verdict decide(ActiveRules rules, Stage stage, String path) {
    return rules.decide(stage, "POST", "", path, null, PEER, null, null);
  }

  @Test
  void aContainerRuleIsDecidedAtTheContainerOnly() throws Exception {
    ActiveRules rules =
        rules(
            """
            rules:
              - path: /manager/**
                stage: container
                ip: 2/min
            """);
    assertThat(rules.anyAtContainer()).isTrue();
    assertThat(rules.anyBeforeFilters()).isFalse();
    for (Stage later : new Stage[] {Stage.FILTERS, Stage.SERVLET, Stage.SERVLET_ALONE}) {
      assertThat(decide(rules, later, "/manager/text/list")).as(later.name()).isNull();
    }
    assertThat(decide(rules, Stage.CONTAINER, "/manager/text/list").isBlocked()).isFalse();
    assertThat(decide(rules, Stage.CONTAINER, "/manager/text/list").isBlocked()).isFalse();
    assertThat(decide(rules, Stage.CONTAINER, "/manager/text/list").isBlocked()).isTrue();
  }

  @Test
  void theOtherRulesAreNotDecidedAtTheContainer() throws Exception {
    ActiveRules rules =
        rules(
            """
            rules:
              - name: front
                path: /login
                stage: container
                ip: 100/min
              - name: early
                path: /login
                stage: filters
                ip: 100/min
              - name: late
                path: /login
                ip: 100/min
            """);
    Verdict atContainer = decide(rules, Stage.CONTAINER, "/login");
    Verdict alone = decide(rules, Stage.SERVLET_ALONE, "/login");
    assertThat(remaining(atContainer)).isEqualTo("99");
    // filters and servlet rules together when no filter ran: each charged once, the container
    // rule not again (it would show 98)
    assertThat(remaining(alone)).isEqualTo("99");
    assertThat(remaining(decide(rules, Stage.CONTAINER, "/login"))).isEqualTo("98");
  }

  @Test
  void withoutContainerRulesTheFrontDoorHasNothingToDo() throws Exception {
    ActiveRules rules = rules("rules:\n  - path: /login\n    ip: 1/min\n");
    assertThat(rules.anyAtContainer()).isFalse();
    assertThat(decide(rules, Stage.CONTAINER, "/login")).isNull();
  }

  @Test
  void theFrontDoorMatchesThePathAsTheServletStageDoes() throws Exception {
    ActiveRules rules =
        rules("rules:\n  - path: /api/secret\n    stage: container\n    ip: 1/min\n");
    assertThat(decide(rules, Stage.CONTAINER, "//api/./x/../secret/").isBlocked()).isFalse();
    assertThat(decide(rules, Stage.CONTAINER, "/api/secret").isBlocked()).isTrue();
  }

  private static String remaining(Verdict verdict) {
    for (int i = 0; i < verdict.headerCount(); i++) {
      if (verdict.headerName(i).equals("X-RateLimit-Remaining")) {
        return verdict.headerValue(i);
      }
    }
    return null;
  }
}
