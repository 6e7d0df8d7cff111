package io.fastlimit.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.config.ConfigProblem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code log-file}: the agent's own lines in a file of the user's, else on stderr. */
class LogFileTest {

  @TempDir Path dir;

  @AfterEach
  void backToStderr() {
    AgentLog.writeTo(null);
  }

  private static String read(Path file) throws Exception {
    return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
  }

  @Test
  void linesGoToTheNamedFileAndLeaveItWhenAnotherOrNoneIsNamed() throws Exception {
    Path first = dir.resolve("first.log");
    Path second = dir.resolve("second.log");

    AgentLog.writeTo(first.toString());
    AgentLog.info("one");
    AgentLog.writeTo(second.toString());
    AgentLog.warn("two");
    AgentLog.writeTo(null);
    AgentLog.info("three");

    assertThat(read(first)).isEqualTo("[fastlimit] one" + System.lineSeparator());
    assertThat(read(second)).isEqualTo("[fastlimit] WARN two" + System.lineSeparator());
  }

  @Test
  void theSameFileNamedAgainOnAReloadIsAppendedTo() throws Exception {
    Path file = dir.resolve("agent.log");
    Files.write(file, "the application's own line\n".getBytes(StandardCharsets.UTF_8));

    AgentLog.writeTo(file.toString());
    AgentLog.info("before the reload");
    AgentLog.writeTo(file.toString());
    AgentLog.info("after the reload");

    assertThat(read(file).split("\\R"))
        .containsExactly(
            "the application's own line",
            "[fastlimit] before the reload",
            "[fastlimit] after the reload");
  }

  @Test
  void aFileThatCannotBeOpenedLeavesTheLinesOnStderr() throws Exception {
    Path file = dir.resolve("agent.log");
    AgentLog.writeTo(file.toString());

    AgentLog.writeTo(dir.resolve("no-such-directory").resolve("agent.log").toString());
    AgentLog.info("on stderr");

    assertThat(read(file)).isEmpty();
    assertThat(dir.resolve("no-such-directory")).doesNotExist();
  }

  @Test
  void theRulesFileNamesAnAbsolutePath() throws Exception {
    String path = dir.resolve("agent.log").toString();
    AgentConfig config =
        ConfigLoader.parse(
            "log-file: '" + path + "'\nrules: [{path: /a, limit: 1/s}]\n", "rules.yaml", n -> null);
    assertThat(config.logFile()).isEqualTo(path);
    assertThat(
            ConfigLoader.parse("rules: [{path: /a, limit: 1/s}]\n", "rules.yaml", n -> null)
                .logFile())
        .as("stderr by default")
        .isNull();
  }

  @Test
  void aRelativeLogFileIsAProblemAtItsPlace() {
    ConfigException failure =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            ConfigException.class,
            () ->
                ConfigLoader.parse(
                    "log-file: logs/agent.log\nrules: [{path: /a, limit: 1/s}]\n",
                    "rules.yaml",
                    n -> null));
    assertThat(failure).isNotNull();
    assertThat(failure.problems()).hasSize(1);
    ConfigProblem problem = failure.problems().get(0);
    assertThat(problem.toString())
        .startsWith("rules.yaml:1:")
        .contains("log-file 'logs/agent.log' must be an absolute path");
  }
}
