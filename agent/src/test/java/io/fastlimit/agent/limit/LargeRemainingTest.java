package io.fastlimit.agent.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Remaining past the table of small counts is written out only when the header is read: the
 * header still says the exact count, however the verdict is read or copied.
 */
class LargeRemainingTest {

  private static final long START = 28_333_334L * 60_000;

  private static Verdict decide(String limit, String style) throws ConfigException {
    RateLimiter limiter =
        new RateLimiter(
            ConfigLoader.parse(
                "headers: {style: "
                    + style
                    + "}\nrules:\n  - {path: /api/**, limit: "
                    + limit
                    + "}\n",
                "rules.yaml",
                name -> null),
            new MemoryBackend(() -> START, 100),
            new Stats());
    LimiterBridge bridge = new LimiterBridge(limiter);
    bridge
        .rules()
        .decide(Stage.SERVLET_ALONE, "GET", "", "/api/x", null, "203.0.113.7", null, null);
    return bridge
        .rules()
        .decide(Stage.SERVLET_ALONE, "GET", "", "/api/x", null, "203.0.113.7", null, null);
  }

  private static String header(Verdict verdict, String name) {
    for (int i = 0; i < verdict.headerCount(); i++) {
      if (verdict.headerName(i).equals(name)) {
        return verdict.headerValue(i);
      }
    }
    return null;
  }

  @ParameterizedTest
  @ValueSource(strings = {"999999999999/min", "5000/min", "4098/min", "4097/min", "100/min"})
  void remainingIsTheExactCountWhateverTheLimit(String limit) throws ConfigException {
    Verdict verdict = decide(limit, "x-ratelimit");
    long expected = Long.parseLong(limit.substring(0, limit.indexOf('/'))) - 2;
    assertThat(header(verdict, "X-RateLimit-Remaining")).isEqualTo(Long.toString(expected));
    assertThat(header(verdict, "X-RateLimit-Remaining")).isEqualTo(Long.toString(expected));
    assertThat(header(verdict, "X-RateLimit-Limit"))
        .isEqualTo(limit.substring(0, limit.indexOf('/')));
  }

  @Test
  void aCopiedVerdictKeepsTheCount() throws ConfigException {
    Verdict copied = VerdictBuilder.pending(decide("999999999999/min", "both"), "state");
    assertThat(header(copied, "X-RateLimit-Remaining")).isEqualTo("999999999997");
    assertThat(header(copied, "RateLimit")).startsWith("\"").contains(";r=999999999997;");
  }

  @Test
  void aValueLeftOutStandsForTheCount() {
    Verdict verdict =
        Verdict.allowedCounting(new String[] {"A", "B"}, new String[] {"x", null}, 123_456_789L);
    assertThat(verdict.headerValue(0)).isEqualTo("x");
    assertThat(verdict.headerValue(1)).isEqualTo("123456789");
  }
}
