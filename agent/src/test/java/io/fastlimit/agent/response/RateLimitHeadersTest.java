package io.fastlimit.agent.response;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {

  private static RateLimitHeaders style(RateLimitHeaders.Style style) {
    return new RateLimitHeaders(
        true,
        style,
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
        "Retry-After");
  }

  @Test
  void xRateLimitStyleGivesLimitRemainingAndEpochReset() {
    RateLimitHeaders headers = style(RateLimitHeaders.Style.X_RATELIMIT);
    assertThat(headers.allowedNames())
        .containsExactly("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset");
    assertThat(headers.values("api", "10", 60_000, 7, 1_700_000_000_001L, 1_699_999_990_000L, -1))
        .containsExactly("10", "7", "1700000001");
  }

  @Test
  void ietfStyleGivesPolicyAndRemainingWithSecondsToReset() {
    RateLimitHeaders headers = style(RateLimitHeaders.Style.IETF);
    assertThat(headers.allowedNames()).containsExactly("RateLimit-Policy", "RateLimit");
    // the backend's clock (Redis TIME, say) is far from this JVM's: only their difference counts
    long decidedAt = 946_684_800_000L; // 2000-01-01
    String[] values = headers.values("api", "10", 60_000, 7, decidedAt + 10_001, decidedAt, -1);
    assertThat(values[0]).isEqualTo("\"api\";q=10;w=60");
    assertThat(values[1]).isEqualTo("\"api\";r=7;t=11");
  }

  @Test
  void blockedAddsRetryAfterLastInEveryStyle() {
    for (RateLimitHeaders.Style style : RateLimitHeaders.Style.values()) {
      RateLimitHeaders headers = style(style);
      String[] names = headers.blockedNames();
      String[] values = headers.values("api", "10", 60_000, 0, 5_000, 1_000, 4);
      assertThat(names[names.length - 1]).isEqualTo("Retry-After");
      assertThat(values).hasSameSizeAs(names);
      assertThat(values[values.length - 1]).isEqualTo("4");
    }
    assertThat(style(RateLimitHeaders.Style.BOTH).blockedNames()).hasSize(6);
  }

  @Test
  void policyNamesAreValidStructuredStrings() {
    assertThat(RateLimitHeaders.structuredString("a\"b\\c\u00e9\n")).isEqualTo("\"a\\\"b\\\\c??\"");
  }

  @Test
  void resetInThePastIsNeverNegative() {
    assertThat(style(RateLimitHeaders.Style.IETF).values("r", "1", 1000, 1, 500, 600, -1)[1])
        .isEqualTo("\"r\";r=1;t=0");
  }
}
