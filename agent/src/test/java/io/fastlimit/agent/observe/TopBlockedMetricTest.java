package io.fastlimit.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The optional Prometheus metric of who is blocked most: off by default, bounded when on. */
class TopBlockedMetricTest {

  @Test
  void offByDefaultAndTopNPerRuleWhenAsked() {
    Stats stats = new Stats();
    for (int client = 0; client < 50; client++) {
      for (int i = 0; i <= client; i++) {
        stats.forRule("lo\"gin").blocked("ip", "203.0.113." + client);
      }
    }
    assertThat(PrometheusEndpoint.render(stats)).doesNotContain("fastlimit_top_blocked_requests");

    String text = PrometheusEndpoint.render(stats, 3);

    assertThat(text)
        .contains("# TYPE fastlimit_top_blocked_requests gauge\n")
        .contains(
            "fastlimit_top_blocked_requests{rule=\"lo\\\"gin\",kind=\"ip\",client=\"203.0.113.49\"}"
                + " 50\n")
        .contains("client=\"203.0.113.47\"} 48\n");
    assertThat(text.split("fastlimit_top_blocked_requests\\{", -1)).hasSize(4);
  }
}
