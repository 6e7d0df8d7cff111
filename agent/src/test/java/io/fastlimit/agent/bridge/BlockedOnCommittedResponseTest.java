package io.fastlimit.agent.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.observe.CapturedLog;
import io.fastlimit.agent.observe.RuleStats;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request blocked when a filter had already committed the response: the advice skips the servlet
 * without a 429 and tells the bridge; the limiter counted it as blocked and says so once.
 */
class BlockedOnCommittedResponseTest {

  private final CapturedLog log = new CapturedLog();

  @AfterEach
  void restoreLog() {
    log.stop();
  }

  @Test
  void isCountedAsBlockedAndLoggedOnceNamingTheRule() throws Exception {
    RateLimiter limiter =
        new RateLimiter(
            ConfigLoader.parse(
                "rules:\n  - name: stream\n    path: /stream/*\n    limit: 1/hour\n",
                "rules.yaml",
                name -> null),
            new MemoryBackend(() -> 1_000_000L, 100),
            new Stats());
    LimiterBridge bridge = new LimiterBridge(limiter);
    log.start();

    assertThat(decide(bridge).isBlocked()).isFalse();
    for (int i = 0; i < 3; i++) {
      Verdict verdict = decide(bridge);
      assertThat(verdict.isBlocked()).isTrue();
      bridge.rules().blockedOnCommittedResponse(Stage.SERVLET_ALONE, "GET", "", "/stream", "/feed");
    }

    RuleStats stats = limiter.stats().forRule("stream");
    assertThat(stats.blockedCount()).isEqualTo(3);
    assertThat(stats.allowedCount()).isEqualTo(1);
    String text = log.text();
    assertThat(text.split("committed the response", -1)).as(text).hasSize(2);
    assertThat(text).contains("stream").contains("GET /stream/feed").contains("429");
  }

  private static Verdict decide(LimiterBridge bridge) {
    return bridge
        .rules()
        .decide(Stage.SERVLET_ALONE, "GET", "", "/stream", "/feed", "203.0.113.9", null, null);
  }
}
