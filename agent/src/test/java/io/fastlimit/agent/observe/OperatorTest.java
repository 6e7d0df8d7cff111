package io.fastlimit.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastlimit.agent.limit.ClientReset;
import org.junit.jupiter.api.Test;

/** What the operator's MBean answers about who is blocked. */
class OperatorTest {

  private final Stats stats = new Stats();
  private final Operator operator =
      new Operator(new ClientReset(() -> null, () -> null)::reset, stats);

  @Test
  void blockedListsEachRulesTopClientsWithCounts() {
    stats.forRule("api");
    for (int i = 0; i < 3; i++) {
      stats.forRule("login").blocked("ip", "203.0.113.7");
    }
    stats.forRule("login").blocked("user", "~xa55jL5T8RcHJZr8K2Ad_Q");

    assertThat(operator.blocked("*", 10))
        .isEqualTo(
            "rule login: top 2 blocked in the last 5 minutes\n"
                + "  3 ip 203.0.113.7\n"
                + "  1 user ~xa55jL5T8RcHJZr8K2Ad_Q");
    assertThat(operator.blocked("login", 1))
        .endsWith("top 1 blocked in the last 5 minutes\n  3 ip 203.0.113.7");
    assertThat(operator.blocked("api", 10))
        .isEqualTo("rule api: nobody blocked in the last 5 minutes");
  }

  @Test
  void blockedSaysSoWhenNobodyIsOrTheRuleIsUnknown() {
    assertThat(operator.blocked("", 0)).isEqualTo("nobody was blocked in the last 5 minutes");
    stats.forRule("api");
    assertThatThrownBy(() -> operator.blocked("apu", 5)).hasMessageContaining("[api]");
  }

  @Test
  void resetWithoutRulesInForceSaysSo() {
    assertThatThrownBy(() -> operator.reset("ip", "203.0.113.7", "*"))
        .hasMessageContaining("no rules are in force");
  }
}
