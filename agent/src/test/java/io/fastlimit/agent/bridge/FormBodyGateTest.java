package io.fastlimit.agent.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.Stage;
import org.junit.jupiter.api.Test;

/**
 * What sends an Undertow exchange to a worker thread before its front door decides it: only a small
 * urlencoded body that a container rule with {@code account-from: form:NAME} covers.
 */
class FormBodyGateTest {

  private static final String FORM = "application/x-www-form-urlencoded";

  private static ActiveRules rules(String yaml) throws Exception {
    RateLimiter limiter =
        new RateLimiter(
            ConfigLoader.parse(yaml, "rules.yaml", name -> null),
            new MemoryBackend(() -> 1_000_000L, 100),
            new Stats());
    return new LimiterBridge(limiter).rules();
  }

  @Test
  void aContainerRuleReadingAFormCoversOnlyItsOwnSmallUrlencodedPosts() throws Exception {
    ActiveRules rules =
        rules(
            "rules:\n"
                + "  - path: /secure/j_security_check\n"
                + "    methods: [POST]\n"
                + "    stage: container\n"
                + "    ip: 10/min\n"
                + "    account: 3/hour\n"
                + "    account-from: form:j_username\n"
                + "  - path: /api/**\n"
                + "    stage: container\n"
                + "    ip: 10/min\n");
    String path = "/secure/j_security_check";

    assertThat(rules.anyFormAtContainer()).isTrue();
    assertThat(rules.readsFormBody(Stage.CONTAINER, "POST", path, FORM, 40)).isTrue();
    assertThat(rules.readsFormBody(Stage.CONTAINER, "post", path, FORM + "; charset=UTF-8", 40))
        .isTrue();
    assertThat(rules.readsFormBody(Stage.CONTAINER, "GET", path, FORM, 40)).isFalse();
    assertThat(rules.readsFormBody(Stage.CONTAINER, "POST", "/api/x", FORM, 40)).isFalse();
    assertThat(rules.readsFormBody(Stage.CONTAINER, "POST", path, "multipart/form-data", 40))
        .isFalse();
    assertThat(rules.readsFormBody(Stage.CONTAINER, "POST", path, null, 40)).isFalse();
    assertThat(rules.readsFormBody(Stage.CONTAINER, "POST", path, FORM, -1))
        .as("chunked")
        .isFalse();
    assertThat(rules.readsFormBody(Stage.CONTAINER, "POST", path, FORM, 0)).isFalse();
    assertThat(rules.readsFormBody(Stage.CONTAINER, "POST", path, FORM, 16 * 1024)).isTrue();
    assertThat(rules.readsFormBody(Stage.CONTAINER, "POST", path, FORM, 16 * 1024 + 1)).isFalse();
  }

  @Test
  void rulesWithoutAFormAtTheContainerNeverSendAnExchangeAway() throws Exception {
    ActiveRules rules =
        rules(
            "rules:\n"
                + "  - path: /login\n"
                + "    methods: [POST]\n"
                + "    ip: 10/min\n"
                + "    account: 3/hour\n"
                + "    account-from: form:j_username\n"
                + "  - path: /secure/**\n"
                + "    stage: container\n"
                + "    ip: 10/min\n"
                + "    account: 3/hour\n"
                + "    account-from: basic-user\n");

    assertThat(rules.anyAtContainer()).isTrue();
    assertThat(rules.anyFormAtContainer()).isFalse();
    assertThat(rules.readsFormBody(Stage.CONTAINER, "POST", "/login", FORM, 40)).isFalse();
    assertThat(rules.readsFormBody(Stage.CONTAINER, "POST", "/secure/x", FORM, 40)).isFalse();
  }
}
