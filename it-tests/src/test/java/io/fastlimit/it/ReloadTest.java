package io.fastlimit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;

/**
 * The rules file is watched: edits in place, atomic renames and ConfigMap-style symlink swaps apply
 * while the app runs; a broken edit keeps the last good rules; counters of rules whose name did not
 * change go on.
 */
class ReloadTest {

  static final String FIVE_PER_HOUR =
      """
      rules:
        - name: api
          path: /api/**
          limit: 5/hour
      """;

  static final String SEVEN_PER_HOUR =
      """
      rules:
        - name: api
          path: /api/**
          limit: 7/hour
        - name: login
          path: /login
          limit: 1/hour
      """;

  @Test
  void editInPlaceApplies() throws Exception {
    Path rules = Build.rulesFile("reload-edit", FIVE_PER_HOUR);
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
      assertThat(app.get("/api/a").longHeader("X-RateLimit-Limit")).isEqualTo(5);
      Files.writeString(rules, SEVEN_PER_HOUR, StandardCharsets.UTF_8);
      awaitLimit(app, 7);
      app.awaitOutput("reloaded " + rules);
    }
  }

  @Test
  void atomicRenameApplies() throws Exception {
    Path rules = Build.rulesFile("reload-rename", FIVE_PER_HOUR);
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
      assertThat(app.get("/api/a").longHeader("X-RateLimit-Limit")).isEqualTo(5);
      Path temporary = rules.resolveSibling(".rules.yaml.tmp");
      Files.writeString(temporary, SEVEN_PER_HOUR, StandardCharsets.UTF_8);
      Files.move(temporary, rules, StandardCopyOption.ATOMIC_MOVE);
      awaitLimit(app, 7);
    }
  }

  @Test
  void kubernetesConfigMapSymlinkSwapApplies() throws Exception {
    // the layout the kubelet writes: rules.yaml -> ..data/rules.yaml, ..data -> ..<timestamp>
    Path mount = Build.workDirectory("configmap");
    Path first = Files.createDirectory(mount.resolve("..2026_11_27_01"));
    Files.writeString(first.resolve("rules.yaml"), FIVE_PER_HOUR, StandardCharsets.UTF_8);
    Files.createSymbolicLink(mount.resolve("..data"), first.getFileName());
    Path rules = mount.resolve("rules.yaml");
    Files.createSymbolicLink(rules, Path.of("..data/rules.yaml"));
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
      assertThat(app.get("/api/a").longHeader("X-RateLimit-Limit")).isEqualTo(5);
      Path second = Files.createDirectory(mount.resolve("..2026_11_27_02"));
      Files.writeString(second.resolve("rules.yaml"), SEVEN_PER_HOUR, StandardCharsets.UTF_8);
      Path swap = mount.resolve("..data_tmp");
      Files.createSymbolicLink(swap, second.getFileName());
      Files.move(swap, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
      awaitLimit(app, 7);
    }
  }

  @Test
  void brokenEditKeepsTheLastGoodRulesAndSaysWhere() throws Exception {
    Path rules = Build.rulesFile("reload-broken", FIVE_PER_HOUR);
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
      assertThat(app.get("/api/a").longHeader("X-RateLimit-Remaining")).isEqualTo(4);
      Files.writeString(
          rules,
          """
          rules:
            - name: api
              path: /api/**
              limit: 7/hour
              lmit: 3/min
          """,
          StandardCharsets.UTF_8);
      app.awaitOutput("the last good rules stay in force");
      assertThat(app.output()).contains(rules + ":5:5: unknown key 'lmit'");
      HttpResult still = app.get("/api/a");
      assertThat(still.longHeader("X-RateLimit-Limit")).isEqualTo(5);
      assertThat(still.longHeader("X-RateLimit-Remaining")).isEqualTo(3);
      // and a fix applies afterwards
      Files.writeString(rules, SEVEN_PER_HOUR, StandardCharsets.UTF_8);
      awaitLimit(app, 7);
    }
  }

  @Test
  void countersOfUnchangedRulesSurviveAReload() throws Exception {
    Path rules = Build.rulesFile("reload-counters", FIVE_PER_HOUR);
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
      for (int i = 0; i < 3; i++) {
        app.get("/api/a");
      }
      Files.writeString(
          rules,
          FIVE_PER_HOUR
              + """
                - name: login
                  path: /login
                  limit: 1/hour
              """,
          StandardCharsets.UTF_8);
      app.awaitOutput("reloaded " + rules);
      HttpResult after = app.get("/api/a");
      assertThat(after.longHeader("X-RateLimit-Limit")).isEqualTo(5);
      assertThat(after.longHeader("X-RateLimit-Remaining")).isEqualTo(1);
    }
  }

  @Test
  void aRulesFileFixedAfterStartIsApplied() throws Exception {
    Path rules = Build.rulesFile("reload-late", "rules: [");
    try (ChildApp app = ChildApp.sample(Build.jakartaSample(), rules.toString())) {
      assertThat(app.get("/api/a").hasHeader("X-RateLimit-Limit")).isFalse();
      Files.writeString(rules, FIVE_PER_HOUR, StandardCharsets.UTF_8);
      awaitLimit(app, 5);
    }
  }

  @Test
  void reloadFalseKeepsTheRulesOfTheStartAndABackendChangeWaitsForARestart() throws Exception {
    Path rules =
        Build.rulesFile(
            "reload-off",
            """
            reload: false
            rules:
              - name: api
                path: /api/**
                limit: 5/hour
            """);
    Path watched = Build.rulesFile("reload-backend", FIVE_PER_HOUR);
    try (ChildApp fixed = ChildApp.sample(Build.jakartaSample(), rules.toString());
        ChildApp watching = ChildApp.sample(Build.jakartaSample(), watched.toString())) {
      Files.writeString(rules, SEVEN_PER_HOUR, StandardCharsets.UTF_8);
      Files.writeString(
          watched, "memory:\n  max-keys: 5000\n" + SEVEN_PER_HOUR, StandardCharsets.UTF_8);
      // the watched one applies its rules and says the backend part waits for a restart
      awaitLimit(watching, 7);
      watching.awaitOutput("that part takes effect at the next restart");
      // by then the unwatched one has had the same time to notice, and must not have
      assertThat(fixed.get("/api/a").longHeader("X-RateLimit-Limit")).isEqualTo(5);
      assertThat(fixed.output()).doesNotContain("reloaded");
    }
  }

  /** Polls until the limit header shows the new rules; the agent promises 2 s, we allow 10. */
  private static void awaitLimit(ChildApp app, long limit) throws Exception {
    long start = System.nanoTime();
    while (System.nanoTime() - start < 10_000_000_000L) {
      HttpResult result = app.get("/hello-not-limited-" + System.nanoTime());
      HttpResult limited = app.get("/api/probe");
      if (limited.hasHeader("X-RateLimit-Limit")
          && limited.longHeader("X-RateLimit-Limit") == limit) {
        System.out.printf("reload applied after %d ms%n", (System.nanoTime() - start) / 1_000_000);
        assertThat(result.status()).isIn(200, 404);
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the new limit " + limit + " did not apply:\n" + app.output());
  }
}
