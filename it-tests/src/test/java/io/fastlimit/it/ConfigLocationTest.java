package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Besides the agent argument, -Dfastlimit.config and FASTLIMIT_CONFIG name the rules file. */
class ConfigLocationTest {

  private static final String RULES =
      """
      rules:
        - path: /api/**
          limit: 2/hour
      """;

  @Test
  void systemPropertyNamesTheRulesFile() throws Exception {
    Path rules = Build.rulesFile("property", RULES);
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), "", "-Dfastlimit.config=" + rules)) {
      assertLimitedToTwo(app);
    }
  }

  @Test
  void environmentVariableNamesTheRulesFile() throws Exception {
    Path rules = Build.rulesFile("environment", RULES);
    try (ChildApp app =
        ChildApp.sample(Build.jakartaSample(), "", Map.of("FASTLIMIT_CONFIG", rules.toString()))) {
      assertLimitedToTwo(app);
    }
  }

  private static void assertLimitedToTwo(ChildApp app) throws Exception {
    assertThat(app.get("/api/a").longHeader("X-RateLimit-Limit")).isEqualTo(2);
    assertThat(app.get("/api/a").status()).isEqualTo(200);
    assertThat(app.get("/api/a").status()).isEqualTo(429);
  }
}
