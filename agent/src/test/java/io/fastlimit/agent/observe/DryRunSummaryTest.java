package io.fastlimit.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DryRunSummaryTest {

  private final CapturedLog out = new CapturedLog();

  @AfterEach
  void restore() {
    out.stop();
  }

  @Test
  void eachPeriodReportsTheNewWouldBlocksPerRuleAndIsQuietOtherwise() {
    out.start();
    Stats stats = new Stats();
    RuleStats api = stats.forRule("api");
    stats.forRule("quiet").allowed();
    for (int i = 0; i < 3; i++) {
      api.wouldBlock();
    }
    DryRunSummary.report(stats, 60_000);
    api.wouldBlock();
    DryRunSummary.report(stats, 60_000);
    DryRunSummary.report(stats, 60_000);
    String log = out.text();
    assertThat(log)
        .contains("dry-run summary: rule=api would_block=3 in the last 60 s (total 3)")
        .contains("dry-run summary: rule=api would_block=1 in the last 60 s (total 4)")
        .doesNotContain("rule=quiet");
    assertThat(log.split("dry-run summary", -1)).hasSize(3);
  }
}
