package io.fastlimit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.observe.AgentLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentRuntimeTest {

  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  @BeforeEach
  void captureLog() {
    AgentLog.redirect(new PrintStream(log, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreLog() {
    AgentLog.redirect(System.err);
  }

  private String log() {
    return log.toString(StandardCharsets.UTF_8);
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
