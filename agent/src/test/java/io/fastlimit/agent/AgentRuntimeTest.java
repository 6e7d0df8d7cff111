package io.fastlimit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.observe.CapturedLog;
import io.fastlimit.bootstrap.BridgeHolder;
import io.fastlimit.bootstrap.RateLimitBridge;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentRuntimeTest {

  private final CapturedLog log = new CapturedLog();

  @BeforeEach
  void captureLog() {
    log.start();
  }

  @AfterEach
  void restoreLog() {
    log.stop();
  }

  private String log() {
    return log.text();
  }

  @Test
  void aFailedCalloutInstallIsLoggedAndTheRulesStillLoad(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    // reload: false, so that no watcher outlives the test: served rules are watched for the JVM's
    // life, and once the temporary directory is gone the watcher would log "is gone" into the log
    // of whichever test captures it next (WarmUpTest expects none)
    Files.writeString(file, "reload: false\nrules:\n  - path: /api/**\n    limit: 5/min\n");
    RateLimitBridge before = BridgeHolder.get();
    BridgeHolder.loading();
    try {
      new AgentRuntime(file)
          .startBehind(
              () -> {
                throw new IllegalStateException("no entry code today");
              });

      assertThat(log())
          .containsOnlyOnce("the agent could not install its servlet entry code")
          .contains("no entry code today");
      assertThat(BridgeHolder.get()).isNotNull();
    } finally {
      BridgeHolder.loaded();
      BridgeHolder.set(before);
    }
  }

  @Test
  void aHugeRulesFileAtStartIsReportedWithoutReadingIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    try (RandomAccessFile huge = new RandomAccessFile(file.toFile(), "rw")) {
      huge.setLength(3L << 30); // sparse: takes no disk, but no array can hold it
    }

    new AgentRuntime(file).loadFirst();

    assertThat(log()).contains("the rules file cannot be used").contains("larger than 1 MiB");
  }

  @Test
  void deeplyNestedRulesAtStartAreOneProblemNotAStackTrace(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, "{a: ".repeat(30_000));

    new AgentRuntime(file).loadFirst();

    assertThat(log())
        .contains("the rules file cannot be used")
        .contains(file + ":1:")
        .contains("nested deeper than")
        .doesNotContain("StackOverflowError");
    assertThat(log().split("\n", -1).length).isLessThan(10);
  }

  @Test
  void theRulesFilesLogFileTakesTheAgentsLinesOnceTheRulesApply(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("rules.yaml");
    Path agentLog = dir.resolve("agent.log");
    Files.writeString(
        file, "log-file: '" + agentLog + "'\nrules: [{name: api, path: /api, limit: 1/s}]\n");
    try {
      new AgentRuntime(file).loadFirst();
    } finally {
      io.fastlimit.bootstrap.BridgeHolder.set(null);
    }

    assertThat(Files.readString(agentLog)).contains("enforcing").contains("1 rule");
    assertThat(log()).doesNotContain("enforcing");
  }

  @Test
  void theBackendGetsTheRedisSettingsOfTheRulesFile() throws Exception {
    for (String onError : new String[] {"allow", "deny", "local"}) {
      io.fastlimit.agent.config.AgentConfig config =
          io.fastlimit.agent.config.ConfigLoader.parse(
              "redis-url: [redis://:pw@a:1, redis://b:2]\n"
                  + "redis: {timeout: 80ms, on-error: "
                  + onError
                  + "}\n"
                  + "memory: {max-keys: 5000}\n"
                  + "rules: [{path: /a, limit: 1/s}]\n",
              "rules.yaml",
              name -> null);

      io.fastlimit.agent.backend.BackendContext context =
          AgentRuntime.backendContext(config.restartSettings());

      assertThat(context.memoryMaxKeys()).isEqualTo(5000);
      assertThat(context.redis().uris()).containsExactly("redis://:pw@a:1", "redis://b:2");
      assertThat(context.redis().cluster()).isTrue();
      assertThat(context.redis().timeoutMillis()).isEqualTo(80);
      assertThat(context.redis().onError().name()).isEqualTo(onError.toUpperCase());
      assertThat(context.redis()).hasToString(config.redis().toString());
    }
  }
}
