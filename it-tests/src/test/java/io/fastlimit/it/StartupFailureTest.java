package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A rules file that is missing or broken is reported once and the application runs unlimited. */
class StartupFailureTest {

  @Test
  void missingRulesFileIsReportedAndTheAppServesUnlimited() throws Exception {
    Path missing = Build.workDirectory("missing").resolve("nowhere.yaml");
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), missing.toString())) {
      assertServesUnlimited(app);
      assertThat(app.output())
          .contains("[fastlimit] ERROR the rules file cannot be used")
          .contains(missing + ": no such file");
    }
  }

  @Test
  void brokenRulesFileIsReportedWithLineAndColumn() throws Exception {
    Path rules =
        Build.rulesFile(
            "broken",
            """
            rules:
              - path: /api/**
                limit: 5/fortnight
            """);
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
      assertServesUnlimited(app);
      assertThat(app.output())
          .contains(rules + ":3:12: invalid rate '5/fortnight'")
          .contains("unknown unit 'fortnight'");
    }
  }

  @Test
  void noRulesFileAtAllSaysHowToGiveOne() throws Exception {
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), "")) {
      assertServesUnlimited(app);
      assertThat(app.output()).contains("no rules file given").contains("FASTLIMIT_CONFIG");
    }
  }

  private static void assertServesUnlimited(ChildApp app) throws Exception {
    for (int i = 0; i < 8; i++) {
      HttpResult result = app.get("/api/hello");
      assertThat(result.status()).isEqualTo(200);
      assertThat(result.hasHeader("X-RateLimit-Limit")).isFalse();
    }
  }
}
