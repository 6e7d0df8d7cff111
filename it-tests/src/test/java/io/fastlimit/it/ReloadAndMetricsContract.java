package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A stack without the servlet API shares the decision with the servlet containers, so its requests
 * are counted in the metrics and a reload of the rules file applies to them without a restart.
 * Subclasses name the sample app.
 */
abstract class ReloadAndMetricsContract {

  /** The sample app's jar. */
  abstract Path appJar();

  /** A short name for the stack, in file names. */
  abstract String stack();

  private static final String RULES =
      """
      metrics:
        prometheus-port: %d
      rules:
        - name: api
          path: /api/**
          limit: %d/hour
      """;

  @Test
  void requestsAreCountedInTheMetricsAndAReloadAppliesWithoutARestart() throws Exception {
    int metricsPort = ChildApp.freePort();
    Path rules = Build.rulesFile(stack() + "-reload", RULES.formatted(metricsPort, 2));
    try (ChildApp app = ChildApp.sample(appJar(), rules.toString())) {
      for (int i = 0; i < 3; i++) {
        app.get("/api/a");
      }
      assertThat(app.get("/api/a").longHeader("X-RateLimit-Limit")).isEqualTo(2);
      String metrics = RawHttp.get(metricsPort, "/metrics").body();
      assertThat(metrics)
          .contains("fastlimit_requests_total{rule=\"api\",outcome=\"allowed\"} 2")
          .contains("fastlimit_requests_total{rule=\"api\",outcome=\"blocked\"} 2");

      Files.writeString(rules, RULES.formatted(metricsPort, 6), StandardCharsets.UTF_8);
      app.awaitOutput("reloaded " + rules);

      // the counter of the unchanged rule name survives: 2 admitted of now 6
      HttpResult after = app.get("/api/a");
      assertThat(after.status()).isEqualTo(200);
      assertThat(after.longHeader("X-RateLimit-Limit")).isEqualTo(6);
      assertThat(after.longHeader("X-RateLimit-Remaining")).isEqualTo(3);
      assertThat(app.get("/stats").body()).contains("\"hello\":3");
    }
  }
}
