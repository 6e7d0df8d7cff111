package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Dry-run counts and logs would-be blocks but never blocks and sends no headers. */
class DryRunTest {

  @Test
  void dryRunNeverBlocksSendsNoHeadersAndLogsEachWouldBeBlock() throws Exception {
    Path rules =
        Build.rulesFile(
            "dry-run",
            """
            dry-run: true
            rules:
              - name: api
                path: /api/**
                limit: 2/hour
              - name: login
                path: /login
                methods: [POST]
                limit: 1/hour
                dry-run: false
            """);
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
      for (int i = 0; i < 5; i++) {
        HttpResult result = app.get("/api/a");
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.hasHeader("X-RateLimit-Limit")).isFalse();
        assertThat(result.hasHeader("Retry-After")).isFalse();
      }
      assertThat(app.get("/stats").body()).contains("\"hello\":5");
      app.awaitOutput(
          "dry-run: would block rule=api bucket=ip key=fastlimit:api:ip:{127.0.0.1} limit=2");
      assertThat(app.output().split("dry-run: would block rule=api", -1)).hasSize(4);
      // the enforced rule next to it still blocks
      assertThat(app.post("/login", "x=1").status()).isEqualTo(200);
      assertThat(app.post("/login", "x=1").status()).isEqualTo(429);
    }
  }
}
