package io.fastlimit.agent.response;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BlockedResponseTest {

  private static String body(BlockedResponse response, long retryAfter, long limit, String rule) {
    return new String(response.body(retryAfter, limit, rule), StandardCharsets.UTF_8);
  }

  @Test
  void defaultBodyIsJsonWithTheRetryAfter() {
    BlockedResponse response = BlockedResponse.defaults();

    assertThat(response.status()).isEqualTo(429);
    assertThat(response.contentType()).isEqualTo("application/json");
    assertThat(body(response, 42, 10, "login"))
        .isEqualTo("{\"detail\":\"Rate limit exceeded. Try again in 42s.\",\"retry_after\":42}");
  }

  @Test
  void everyPlaceholderIsFilled() {
    BlockedResponse response =
        new BlockedResponse(
            503, "text/plain", "rule {rule}: {limit} per window, wait {retry_after}s");

    assertThat(body(response, 7, 100, "upload")).isEqualTo("rule upload: 100 per window, wait 7s");
    assertThat(response.status()).isEqualTo(503);
    assertThat(response.contentType()).isEqualTo("text/plain");
  }

  @Test
  void repeatedAndAdjacentPlaceholdersAreAllFilled() {
    BlockedResponse response =
        new BlockedResponse(429, "text/plain", "{limit}{limit}-{retry_after}{rule}{retry_after}");

    assertThat(body(response, 3, 5, "r")).isEqualTo("55-3r3");
  }

  @Test
  void bodyWithoutPlaceholdersIsSentAsWritten() {
    BlockedResponse response =
        new BlockedResponse(429, "text/plain", "slow down {not_a_placeholder}");

    assertThat(body(response, 3, 5, "r")).isEqualTo("slow down {not_a_placeholder}");
    assertThat(body(new BlockedResponse(429, "text/plain", ""), 3, 5, "r")).isEmpty();
  }

  @Test
  void placeholderAtTheEdgesIsFilled() {
    BlockedResponse response = new BlockedResponse(429, "text/plain", "{rule}");

    assertThat(body(response, 1, 1, "only")).isEqualTo("only");
  }

  @Test
  void ruleNameIsEscapedInJson() {
    BlockedResponse response =
        new BlockedResponse(
            429, "application/problem+json; charset=utf-8", "{\"rule\":\"{rule}\"}");

    assertThat(body(response, 1, 1, "GET /a\"b\\c")).isEqualTo("{\"rule\":\"GET /a\\\"b\\\\c\"}");
  }

  @Test
  void ruleNameIsNotEscapedOutsideJson() {
    BlockedResponse response = new BlockedResponse(429, "text/plain", "rule {rule}");

    assertThat(body(response, 1, 1, "a\"b\\c")).isEqualTo("rule a\"b\\c");
  }

  @Test
  void bodyIsUtf8() {
    BlockedResponse response =
        new BlockedResponse(429, "text/plain", "zu viele Anfragen – {retry_after}");

    assertThat(response.body(2, 1, "r"))
        .isEqualTo("zu viele Anfragen – 2".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void contentTypeWithALineBreakIsRefused() {
    assertThatThrownBy(() -> new BlockedResponse(429, "text/plain\r\nX-Injected: 1", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
