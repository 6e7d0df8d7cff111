package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A filter that writes and flushes before passing the request on (the samples' {@code streaming}
 * filter in front of the {@code stream} servlet) commits the response before the agent decides at
 * the servlet. No 429 can be written then, but a blocked request must still not run the servlet: it
 * is skipped, counted as blocked and said once in the log.
 */
class FlushingFilterTest {

  private static final String RULES =
      """
      rules:
        - name: stream
          path: /stream/**
          limit: 2/hour
      """;

  static Stream<Arguments> apps() {
    return Stream.of(
        Arguments.of("Tomcat 11", Build.jakartaSample()),
        Arguments.of("Jetty 12", Build.jettySample()),
        Arguments.of("Undertow 2", Build.undertowSample()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apps")
  void aBlockedRequestBehindAFlushingFilterNeverRunsTheServlet(String container, Path app)
      throws Exception {
    try (ChildApp child =
        ChildApp.sample(app, Build.rulesFile("flushing-filter", RULES).toString())) {
      for (int i = 1; i <= 2; i++) {
        HttpResult admitted = child.get("/stream/feed");
        assertThat(admitted.status()).as("request %d", i).isEqualTo(200);
        assertThat(admitted.body()).startsWith("streaming").contains("hello from stream");
      }
      for (int i = 0; i < 3; i++) {
        HttpResult blocked = child.get("/stream/feed");
        // what the filter sent stands; the servlet behind it did not run
        assertThat(blocked.status()).as("%s", blocked).isEqualTo(200);
        assertThat(blocked.body()).startsWith("streaming").doesNotContain("hello from");
      }
      String stats = child.get("/stats").body();
      assertThat(calls(stats, "stream")).as(stats).isEqualTo(2);
      child.awaitOutput("committed the response before the agent decided");
      String output = child.output();
      assertThat(output.split("committed the response before", -1)).as(output).hasSize(2);
      assertThat(output).contains("GET /stream/feed (rule stream)");
    }
  }

  private static long calls(String stats, String handler) {
    Matcher matcher = Pattern.compile("\"" + handler + "\":(\\d+)").matcher(stats);
    return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
  }
}
